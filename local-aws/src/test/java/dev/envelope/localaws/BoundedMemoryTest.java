package dev.envelope.localaws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An object eight times the heap goes up and comes back through the one port of a local-aws in a child JVM with
 * {@code -Xmx64m}: the front door streams S3 bodies both ways (memory is a chunk, not an object).
 */
class BoundedMemoryTest {
  private static final Pattern READY = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
  private static final long SIZE = 512L << 20;

  @TempDir
  Path dir;

  @Test
  void aHalfGigabyteObjectStreamsThroughAJvmWith64MegabytesOfHeap() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
        LocalAwsMain.class.getName(), "--port", "0", "--bind", "127.0.0.1", "--data-dir", dir.toString())
        .redirectErrorStream(true).start();
    try {
      int port = readyPort(child);
      assertTrue(exchange(port, "PUT /big HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n", 0, null)
          .startsWith("HTTP/1.1 200"));
      MessageDigest sent = MessageDigest.getInstance("SHA-256");
      String put = exchange(port, "PUT /big/object HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + SIZE
          + "\r\n\r\n", SIZE, sent);
      assertTrue(put.startsWith("HTTP/1.1 200"), put);
      MessageDigest received = MessageDigest.getInstance("SHA-256");
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
        socket.getOutputStream().write("GET /big/object HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII));
        InputStream in = socket.getInputStream();
        String head = head(in);
        assertTrue(head.startsWith("HTTP/1.1 200") && head.toLowerCase().contains("content-length: " + SIZE), head);
        byte[] buffer = new byte[1 << 16];
        long total = 0;
        for (int n; (n = in.read(buffer)) > 0; total += n) {
          received.update(buffer, 0, n);
        }
        assertTrue(total == SIZE, "read " + total);
      }
      assertArrayEquals(sent.digest(), received.digest());
      assertTrue(child.isAlive(), "the child survived with 64 MB of heap");
    } finally {
      child.destroy();
      child.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static int readyPort(Process child) throws IOException {
    BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder seen = new StringBuilder();
    for (String line; (line = out.readLine()) != null; ) {
      seen.append(line).append('\n');
      Matcher m = READY.matcher(line);
      if (m.find()) {
        Thread drain = new Thread(() -> {
          try {
            out.transferTo(java.io.Writer.nullWriter());
          } catch (IOException ignored) {
            // the child ended
          }
        });
        drain.setDaemon(true);
        drain.start();
        return Integer.parseInt(m.group(1));
      }
    }
    throw new IllegalStateException("local-aws did not start:\n" + seen);
  }

  /** Sends a request head and {@code bodyLength} pseudo-random bytes; answers the response head. */
  private static String exchange(int port, String head, long bodyLength, MessageDigest digest) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = new byte[1 << 16];
      Random random = new Random(5);
      for (long left = bodyLength; left > 0; left -= chunk.length) {
        random.nextBytes(chunk);
        int n = (int) Math.min(chunk.length, left);
        out.write(chunk, 0, n);
        if (digest != null) {
          digest.update(chunk, 0, n);
        }
      }
      out.flush();
      return head(socket.getInputStream());
    }
  }

  private static String head(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    int matched = 0;
    while (matched < 4) {
      int c = in.read();
      if (c < 0) {
        break;
      }
      head.append((char) c);
      matched = (c == '\r' && (matched == 0 || matched == 2)) || (c == '\n' && (matched == 1 || matched == 3))
          ? matched + 1 : 0;
    }
    return head.toString();
  }
}
