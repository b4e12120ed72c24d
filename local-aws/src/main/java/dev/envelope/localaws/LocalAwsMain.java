package dev.envelope.localaws;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The runnable jar: {@code java -jar local-aws.jar [--port 4566] [--bind ADDRESS] [--config FILE] [--data-dir DIR]}.
 * Serves KMS, DynamoDB, S3 and STS on one port until stopped (SIGTERM or Ctrl-C), and prints one line when every
 * service answers, with the endpoint and the time it took. Errors go to stderr with exit status 2. Started from
 * the jar, it serves from a child JVM with a class-data-sharing archive ({@link CdsRelaunch}; {@code
 * LOCAL_AWS_CDS=off} keeps one JVM).
 */
public final class LocalAwsMain {
  static final String USAGE = """
      usage: java -jar local-aws.jar [--port N] [--bind ADDRESS] [--config FILE] [--data-dir DIR]
        --port N        TCP port, 4566 by default (LocalStack's); 0 picks a free one (the ready line says which)
        --bind ADDRESS  the one address to listen on; by default both 127.0.0.1 and ::1 (loopback only),
                        0.0.0.0 for other hosts and containers (then anyone who reaches the port can call it)
        --config FILE   the KMS emulator's JSON: defaultAccount, enforceAuthorization, principals (credentials,
                        iamPolicies; also the roles STS AssumeRole hands out), seeded keys
        --data-dir DIR  keep KMS keys, DynamoDB tables and S3 objects in DIR across restarts (default: memory)
      environment: LOCAL_AWS_CDS=off serves from this JVM (by default a child JVM with a class-data-sharing archive
        under ~/.cache/envelope serves, which starts faster)
      then: export AWS_ENDPOINT_URL=http://localhost:4566 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \\
              AWS_REGION=us-east-1""";

  private LocalAwsMain() {}

  public static void main(String[] args) throws InterruptedException {
    java.util.OptionalInt relaunched = CdsRelaunch.run(args);
    if (relaunched.isPresent()) {
      System.exit(relaunched.getAsInt()); // the child served, with the class-data-sharing archive
    }
    CdsRelaunch.exitWithParent();
    long started = System.nanoTime();
    LocalAws.Builder builder = LocalAws.builder();
    String bind = "localhost";
    for (int i = 0; i < args.length; i++) {
      String option = args[i];
      if (option.equals("--help") || option.equals("-h")) {
        System.out.println(USAGE);
        return;
      }
      if (i + 1 >= args.length) {
        fail(option + " needs a value");
      }
      String value = args[++i];
      try {
        switch (option) {
          case "--port" -> builder.port(Integer.parseInt(value));
          case "--bind" -> {
            bind = value;
            builder.bindAddress(InetAddress.getByName(value));
          }
          case "--config" -> builder.config(Path.of(value));
          case "--data-dir" -> builder.dataDirectory(Path.of(value));
          default -> fail("unknown option " + option);
        }
      } catch (NumberFormatException e) {
        fail("--port must be a number: " + value);
      } catch (UnknownHostException e) {
        fail("--bind is not an address of this machine: " + value);
      } catch (RuntimeException e) {
        fail(e.getMessage());
      }
    }
    LocalAws aws;
    try {
      aws = builder.build();
    } catch (RuntimeException e) {
      fail(e.getMessage());
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      aws.close();
      stopped.countDown();
    }, "local-aws-shutdown"));
    try {
      InetAddress address = InetAddress.getByName(bind);
      if (!address.isLoopbackAddress()) {
        System.err.println("local-aws: WARNING: listening on " + bind + ", reachable from other hosts"
            + (aws.kms().enforcesAuthorization() ? "" : " and in open mode: every caller is the administrator"));
      }
    } catch (IOException e) {
      // the build above already resolved it
    }
    System.out.printf("local-aws listening on %s: kms, dynamodb, s3, sts (account %s, %s) in %d ms%n",
        aws.endpoint(), aws.kms().defaultAccount(), aws.kms().enforcesAuthorization()
            ? "authorization enforced, SigV4 signatures verified"
            : "open mode: every caller is the administrator, signatures not checked",
        (System.nanoTime() - started) / 1_000_000);
    System.out.flush();
    stopped.await();
  }

  private static void fail(String message) {
    System.err.println("local-aws: " + message);
    System.err.println(USAGE);
    System.exit(2);
  }
}
