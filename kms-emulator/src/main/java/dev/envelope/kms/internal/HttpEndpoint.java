package dev.envelope.kms.internal;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * A small HTTP/1.1 server for request/response APIs with bodies of known length, built so that no client can stall
 * it (the JDK's server gave its four worker threads to four slow connections, and read a declared terabyte body to
 * its end):
 * <ul>
 *   <li>at most {@code maxConnections} connections at once, each on its own thread; the next one is answered 503
 *       and closed at once;</li>
 *   <li>every read waits at most {@code readTimeout}, and a whole request (headers and body) must arrive within
 *       {@code requestTimeout}: a trickling client is cut off, and an idle keep-alive connection is closed after
 *       {@code readTimeout};</li>
 *   <li>headers are bounded (16 KiB), and a body longer than {@code maxBody} is refused from its Content-Length,
 *       before a byte of it is read; a request without Content-Length (chunked) is refused (411).</li>
 * </ul>
 * Binds to the address it is given (loopback unless the caller asks otherwise). Thread-safe; {@link #close()} stops
 * it and closes every connection.
 */
public final class HttpEndpoint implements Closeable {
  private static final int MAX_HEADER_BYTES = 16 * 1024;

  /** One request. Header names are lower case. */
  public record Request(String method, String path, Map<String, String> headers, byte[] body, String remoteAddress) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /** One response; {@code close} ends the connection after it. */
  public record Response(int status, Map<String, String> headers, byte[] body) {}

  /** Answers requests; runs on the connection's thread. */
  @FunctionalInterface
  public interface Handler {
    Response handle(Request request);
  }

  /** What the endpoint answers itself: a refused request (too large, malformed, too slow, too many connections). */
  @FunctionalInterface
  public interface Refusal {
    Response refuse(int status, String reason);
  }

  /** Limits of one endpoint. */
  public record Limits(int maxConnections, Duration readTimeout, Duration requestTimeout, int maxBody) {
    public static Limits defaults(int maxBody) {
      return new Limits(64, Duration.ofSeconds(10), Duration.ofSeconds(30), maxBody);
    }
  }

  private final ServerSocket socket;
  private final Handler handler;
  private final Refusal refusal;
  private final Limits limits;
  private final Semaphore slots;
  private final ExecutorService connections;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;
  private volatile boolean closed;

  public HttpEndpoint(InetAddress address, int port, Limits limits, Handler handler, Refusal refusal,
      String threadName) throws IOException {
    this.handler = handler;
    this.refusal = refusal;
    this.limits = limits;
    this.slots = new Semaphore(limits.maxConnections());
    this.socket = new ServerSocket();
    socket.setReuseAddress(true);
    socket.bind(new InetSocketAddress(address, port), 256);
    this.connections = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
    this.acceptor = new Thread(this::acceptLoop, threadName + "-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return socket.getLocalPort();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = socket.accept();
      } catch (IOException e) {
        if (closed) {
          return;
        }
        continue;
      }
      if (!slots.tryAcquire()) {
        refuseAndClose(client, 503, "Too many connections: the server allows " + limits.maxConnections());
        continue;
      }
      open.add(client);
      try {
        connections.execute(() -> serve(client));
      } catch (RuntimeException rejected) {
        open.remove(client);
        slots.release();
        closeQuietly(client);
      }
    }
  }

  private void serve(Socket client) {
    try (client) {
      client.setTcpNoDelay(true);
      Connection connection = new Connection(client);
      OutputStream out = client.getOutputStream();
      while (!closed) {
        Request request;
        try {
          request = connection.read(System.nanoTime() + limits.requestTimeout().toNanos());
        } catch (Refused r) {
          write(out, refusal.refuse(r.status, r.getMessage()), true);
          lingeringClose(client);
          return;
        }
        if (request == null) {
          return; // the client closed the connection, or stayed idle past the read timeout
        }
        boolean close = "close".equalsIgnoreCase(request.header("connection"));
        Response response;
        try {
          response = handler.handle(request);
        } catch (RuntimeException e) {
          response = refusal.refuse(500, "Internal error: " + e.getClass().getSimpleName());
        }
        write(out, response, close);
        if (close) {
          return;
        }
      }
    } catch (IOException e) {
      // the connection broke or timed out: nothing to answer
    } finally {
      open.remove(client);
      slots.release();
    }
  }

  /** A request refused before it was read whole; the connection is closed after the answer. */
  private static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;

    Refused(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  /**
   * One connection's input: its own buffer (no per-byte locking), and socket timeouts that shrink as the request's
   * deadline nears (set only when they change: each is a system call).
   */
  private final class Connection {
    private final Socket socket;
    private final InputStream in;
    private final byte[] buffer = new byte[8192];
    private int position;
    private int limit;
    private int timeout = -1;

    Connection(Socket socket) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
    }

    /** Reads one request; null if the connection ends (or idles out) before its first byte. */
    Request read(long deadline) throws IOException, Refused {
      if (position == limit) {
        setTimeout((int) limits.readTimeout().toMillis());
        try {
          if (!fill()) {
            return null;
          }
        } catch (SocketTimeoutException e) {
          return null;
        }
      }
      String requestLine = line(deadline);
      String[] parts = requestLine.split(" ");
      if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
        throw new Refused(400, "Malformed request line");
      }
      Map<String, String> headers = new LinkedHashMap<>();
      int headerBytes = requestLine.length();
      for (String h; !(h = line(deadline)).isEmpty(); ) {
        headerBytes += h.length() + 2;
        if (headerBytes > MAX_HEADER_BYTES) {
          throw new Refused(431, "Request headers are larger than " + MAX_HEADER_BYTES + " bytes");
        }
        int colon = h.indexOf(':');
        if (colon <= 0) {
          throw new Refused(400, "Malformed header line");
        }
        headers.merge(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim(),
            (a, b) -> a + "," + b);
      }
      if (headers.containsKey("transfer-encoding")) {
        throw new Refused(411, "Send the body with a Content-Length (chunked transfer encoding is not supported)");
      }
      long length;
      try {
        length = headers.containsKey("content-length") ? Long.parseLong(headers.get("content-length")) : 0;
      } catch (NumberFormatException e) {
        throw new Refused(400, "Malformed Content-Length");
      }
      if (length < 0) {
        throw new Refused(400, "Malformed Content-Length");
      }
      if (length > limits.maxBody()) {
        throw new Refused(413, "Request body of " + length + " bytes is larger than " + limits.maxBody()
            + " bytes");
      }
      if ("100-continue".equalsIgnoreCase(headers.get("expect"))) {
        socket.getOutputStream().write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      byte[] body = new byte[(int) length];
      int done = 0;
      while (done < body.length) {
        if (position == limit) {
          fillBefore(deadline, "The request body did not arrive in time");
        }
        int n = Math.min(limit - position, body.length - done);
        System.arraycopy(buffer, position, body, done, n);
        position += n;
        done += n;
      }
      return new Request(parts[0], parts[1], headers, body, socket.getInetAddress().getHostAddress());
    }

    /** One CRLF-terminated line of ISO-8859-1 text. */
    private String line(long deadline) throws IOException, Refused {
      int start = position;
      StringBuilder spill = null;
      while (true) {
        for (int i = position; i < limit; i++) {
          if (buffer[i] == '\n') {
            String part = new String(buffer, start, i - start, StandardCharsets.ISO_8859_1);
            position = i + 1;
            String s = spill == null ? part : spill.append(part).toString();
            return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
          }
        }
        int length = (spill == null ? 0 : spill.length()) + limit - start;
        if (length >= MAX_HEADER_BYTES) {
          throw new Refused(431, "A request header line is longer than " + MAX_HEADER_BYTES + " bytes");
        }
        if (spill == null) {
          spill = new StringBuilder();
        }
        spill.append(new String(buffer, start, limit - start, StandardCharsets.ISO_8859_1));
        position = limit;
        fillBefore(deadline, "Request headers did not arrive in time");
        start = position;
      }
    }

    /** Refills the buffer within the request's deadline; a refusal if the data does not come. */
    private void fillBefore(long deadline, String tooLate) throws IOException, Refused {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new Refused(408, "The request did not arrive within " + limits.requestTimeout().toSeconds() + " s");
      }
      setTimeout((int) Math.max(1, Math.min(limits.readTimeout().toMillis(), left / 1_000_000)));
      try {
        if (!fill()) {
          throw new Refused(400, "The connection ended inside the request");
        }
      } catch (SocketTimeoutException e) {
        throw new Refused(408, tooLate);
      }
    }

    /** Reads more bytes into the (emptied) buffer; false at the end of the stream. */
    private boolean fill() throws IOException {
      position = 0;
      limit = 0;
      int n = in.read(buffer, 0, buffer.length);
      if (n < 0) {
        return false;
      }
      limit = n;
      return true;
    }

    private void setTimeout(int millis) throws IOException {
      // Rounded to 50 ms steps near the deadline, so that a steady request does not cost a system call per read.
      int rounded = millis >= 1000 ? millis : Math.max(1, millis / 50 * 50);
      if (rounded != timeout) {
        socket.setSoTimeout(rounded);
        timeout = rounded;
      }
    }
  }

  private static void write(OutputStream out, Response response, boolean close) throws IOException {
    StringBuilder head = new StringBuilder(160).append("HTTP/1.1 ").append(response.status()).append(' ')
        .append(reason(response.status())).append("\r\n");
    response.headers().forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    head.append("Content-Length: ").append(response.body().length).append("\r\n");
    if (close) {
      head.append("Connection: close\r\n");
    }
    head.append("\r\n");
    byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
    // One write, one packet: with TCP_NODELAY, separate writes for head and body would be two.
    byte[] all = new byte[headBytes.length + response.body().length];
    System.arraycopy(headBytes, 0, all, 0, headBytes.length);
    System.arraycopy(response.body(), 0, all, headBytes.length, response.body().length);
    out.write(all);
    out.flush();
  }

  private void refuseAndClose(Socket client, int status, String reason) {
    try (client) {
      client.setSoTimeout((int) limits.readTimeout().toMillis());
      write(client.getOutputStream(), refusal.refuse(status, reason), true);
    } catch (IOException ignored) {
      // the refused client went away
    }
  }

  private static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 400 -> "Bad Request";
      case 408 -> "Request Timeout";
      case 411 -> "Length Required";
      case 413 -> "Payload Too Large";
      case 431 -> "Request Header Fields Too Large";
      case 500 -> "Internal Server Error";
      case 503 -> "Service Unavailable";
      default -> "Status";
    };
  }

  /**
   * Half-closes after a refusal, then reads and drops what the client is still sending (at most 8 MiB, 2 s), as
   * web servers do: closing a socket with unread input resets the connection, and a client still writing a refused
   * body would see the reset instead of the answer.
   */
  private static void lingeringClose(Socket s) {
    try {
      s.shutdownOutput();
      s.setSoTimeout(2000);
      InputStream in = s.getInputStream();
      byte[] discard = new byte[8192];
      for (long budget = 8L << 20; budget > 0; ) {
        int n = in.read(discard);
        if (n < 0) {
          return;
        }
        budget -= n;
      }
    } catch (IOException ignored) {
      // the client went away or stopped sending: close now
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  /** The connections open now (for tests and diagnostics). */
  public int openConnections() {
    return open.size();
  }

  @Override
  public void close() {
    closed = true;
    try {
      socket.close();
    } catch (IOException ignored) {
      // stopping
    }
    open.forEach(HttpEndpoint::closeQuietly);
    connections.shutdownNow();
  }
}
