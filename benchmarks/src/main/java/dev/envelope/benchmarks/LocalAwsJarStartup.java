package dev.envelope.benchmarks;

import java.io.IOException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Start-up of the runnable jar as a user starts it, wall clock: from launching the command to the first answered
 * request of every service (KMS ListKeys, DynamoDB ListTables, S3 CreateBucket, STS GetCallerIdentity), polling
 * the port every 2 ms; then the process is stopped (SIGTERM) and the next run starts. Not JMH: the figure includes
 * the JVM's own start, which a fork-based harness cannot time from outside.
 *
 * <pre>
 * java -cp ... dev.envelope.benchmarks.LocalAwsJarStartup RUNS PORT java -jar local-aws/target/local-aws.jar
 * </pre>
 * The command gets {@code --port PORT --bind 127.0.0.1} appended.
 */
public final class LocalAwsJarStartup {
  private LocalAwsJarStartup() {}

  public static void main(String[] args) throws Exception {
    int runs = Integer.parseInt(args[0]);
    int port = Integer.parseInt(args[1]);
    List<String> command = new ArrayList<>(List.of(args).subList(2, args.length));
    command.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1"));
    for (int run = 1; run <= runs; run++) {
      long started = System.nanoTime();
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      try {
        long answered = firstAnswers(port, process);
        System.out.printf("run %d: %d ms%n", run, TimeUnit.NANOSECONDS.toMillis(answered - started));
      } finally {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
      }
    }
  }

  /** When all four services had answered, by {@link System#nanoTime}. */
  private static long firstAnswers(int port, Process process) throws IOException, InterruptedException {
    while (true) {
      if (!process.isAlive()) {
        throw new IOException("the process exited with " + process.exitValue() + " before it answered");
      }
      try (KeepAliveConnection c = new KeepAliveConnection(port)) {
        c.exchange(LocalAwsBenchmark.json("TrentService.ListKeys", "1.1", "{}"));
        c.exchange(LocalAwsBenchmark.json("DynamoDB_20120810.ListTables", "1.0", "{}"));
        c.exchange(LocalAwsBenchmark.raw("PUT", "/first-bucket", "", new byte[0]));
        c.exchange(LocalAwsBenchmark.form("Action=GetCallerIdentity&Version=2011-06-15"));
        return System.nanoTime();
      } catch (ConnectException notYet) {
        Thread.sleep(2);
      }
    }
  }
}
