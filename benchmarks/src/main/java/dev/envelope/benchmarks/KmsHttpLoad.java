package dev.envelope.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Measures how many KMS calls per second the emulator's HTTP server answers, with a client light enough not to
 * be the bottleneck: N threads, one keep-alive connection each, each sending a pre-built, signed-looking
 * GenerateDataKey (or Decrypt) request and reading the whole response. An SDK client spends most of its time
 * signing and marshalling, which is the client's cost, not the server's; {@code KmsEmulatorBenchmark} measures
 * that path.
 *
 * <p>{@code java -cp ... dev.envelope.benchmarks.KmsHttpLoad <port> [threads=8] [seconds=10]}
 */
public final class KmsHttpLoad {
  private static final Pattern KEY_ID = Pattern.compile("\"KeyId\":\"([^\"]+)\"");
  private static final Pattern BLOB = Pattern.compile("\"CiphertextBlob\":\"([^\"]+)\"");

  private KmsHttpLoad() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    String keyArn;
    String blob;
    try (KeepAliveConnection c = new KeepAliveConnection(port)) {
      keyArn = match(KEY_ID, c.exchange(request("CreateKey", "{}")));
      blob = match(BLOB, c.exchange(request("Encrypt", "{\"KeyId\":\"" + keyArn
          + "\",\"Plaintext\":\"AAAAAAAAAAAAAAAAAAAAAA==\"}")));
    }
    String gdk = "{\"KeyId\":\"" + keyArn + "\",\"KeySpec\":\"AES_256\"}";
    String decrypt = "{\"CiphertextBlob\":\"" + blob + "\"}";
    // The first seconds of a fresh server include its JIT compilation on the same two cores: reported apart.
    long cold = run(port, threads, seconds, "GenerateDataKey", gdk);
    System.out.printf("GenerateDataKey over HTTP, %d client threads, first %d s of a fresh server: %,d calls/s%n",
        threads, seconds, cold / seconds);
    run(port, threads, seconds, "Decrypt", decrypt);
    for (String op : List.of("GenerateDataKey", "Decrypt")) {
      long calls = run(port, threads, seconds, op, op.equals("Decrypt") ? decrypt : gdk);
      System.out.printf("%s over HTTP, %d client threads, warm: %,d calls/s%n", op, threads, calls / seconds);
    }
  }

  private static long run(int port, int threads, int seconds, String op, String body) throws Exception {
    AtomicLong calls = new AtomicLong();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    List<Thread> workers = new ArrayList<>();
    List<Throwable> errors = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread worker = new Thread(() -> {
        try (KeepAliveConnection c = new KeepAliveConnection(port)) {
          byte[] request = request(op, body);
          while (System.nanoTime() < end) {
            c.exchange(request);
            calls.incrementAndGet();
          }
        } catch (Throwable e) {
          synchronized (errors) {
            errors.add(e);
          }
        }
      });
      workers.add(worker);
      worker.start();
    }
    for (Thread w : workers) {
      w.join();
    }
    if (!errors.isEmpty()) {
      throw new IllegalStateException(errors.size() + " workers failed", errors.get(0));
    }
    return calls.get();
  }

  private static byte[] request(String op, String body) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    String head = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\n"
        + "X-Amz-Target: TrentService." + op + "\r\n"
        + "Authorization: AWS4-HMAC-SHA256 Credential=AKIDLOAD/20261122/us-east-1/kms/aws4_request, "
        + "SignedHeaders=host;x-amz-target, Signature=0\r\n"
        + "Content-Length: " + b.length + "\r\n\r\n";
    byte[] h = head.getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[h.length + b.length];
    System.arraycopy(h, 0, out, 0, h.length);
    System.arraycopy(b, 0, out, h.length, b.length);
    return out;
  }

  private static String match(Pattern p, String text) {
    Matcher m = p.matcher(text);
    if (!m.find()) {
      throw new IllegalStateException("unexpected response " + text);
    }
    return m.group(1);
  }
}
