package dev.envelope.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP relay in front of the S3 emulator that caps every connection at a fixed rate in each direction, the way
 * real S3 behaves: one request stream tops out at a rate set by the path (AWS's performance guidelines plan for
 * about 85-90 MB/s per connection and tell clients to scale with concurrent requests), while the service as a
 * whole takes many connections. Over loopback nothing is capped, so every client is bound by the CPU the emulator
 * and the client share; with the relay the network is the bound, as it is against S3. TLS passes through
 * untouched. The pacing waits (parkNanos) are the point of the relay: they model the wire, they time nothing.
 */
final class ThrottledRelay implements AutoCloseable {
  private static final int CHUNK = 16 * 1024;

  private final ServerSocket server;
  private final int targetPort;
  private final long bytesPerSecond;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  private ThrottledRelay(ServerSocket server, int targetPort, long bytesPerSecond) {
    this.server = server;
    this.targetPort = targetPort;
    this.bytesPerSecond = bytesPerSecond;
  }

  /** Starts relaying 127.0.0.1:{@link #port()} to 127.0.0.1:{@code targetPort}. */
  static ThrottledRelay start(int targetPort, long bytesPerSecondPerConnection) throws IOException {
    ServerSocket server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
    ThrottledRelay relay = new ThrottledRelay(server, targetPort, bytesPerSecondPerConnection);
    daemon("relay-accept", relay::acceptLoop).start();
    return relay;
  }

  int port() {
    return server.getLocalPort();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        for (Socket s : List.of(client, upstream)) {
          s.setTcpNoDelay(true);
          sockets.add(s);
        }
        daemon("relay-up", () -> pump(client, upstream)).start();
        daemon("relay-down", () -> pump(upstream, client)).start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  /** Copies one direction, never ahead of {@code bytesPerSecond} since the first byte. */
  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[CHUNK];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      long start = 0;
      long sent = 0;
      int n;
      while ((n = in.read(buffer)) >= 0) {
        long now = System.nanoTime();
        if (start == 0 || now - start > (sent * 1_000_000_000L) / bytesPerSecond + 50_000_000L) {
          // Idle for a while (between requests on a kept-alive connection): no credit for the silence.
          start = now;
          sent = 0;
        }
        out.write(buffer, 0, n);
        sent += n;
        long due = start + sent * 1_000_000_000L / bytesPerSecond;
        while ((now = System.nanoTime()) < due) {
          LockSupport.parkNanos(due - now);
        }
      }
    } catch (IOException e) {
      // the other side closed: so does this one
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static Thread daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    return t;
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    sockets.forEach(ThrottledRelay::closeQuietly);
  }
}
