package dev.envelope.localaws.internal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * A small blocking HTTP/1.1 client for one trusted server on loopback (S3Proxy behind the front door), with a pool
 * of keep-alive connections. The JDK's {@code HttpClient} took about 400 µs per request here (its asynchronous
 * machinery on two cores); this takes the round trip. Request bodies stream with Content-Length (or chunked when
 * the length is unknown); responses stream by Content-Length, chunked, or to the end of the connection.
 * A connection goes back to the pool only after its response was read to the end. Thread-safe.
 */
final class LoopbackHttpClient implements Closeable {
  private static final int MAX_HEAD = 64 * 1024;
  private static final long MAX_IDLE_MILLIS = 5_000;

  /** A response whose body the caller reads and then closes (which releases or closes the connection). */
  record Response(int status, List<Map.Entry<String, String>> headers, long contentLength, InputStream body)
      implements Closeable {
    @Override
    public void close() throws IOException {
      body.close();
    }
  }

  private final InetSocketAddress server;
  private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();

  LoopbackHttpClient(InetSocketAddress server) {
    this.server = server;
  }

  /**
   * Sends a request and returns its response once the head arrived.
   *
   * @param length the body's length, -1 when unknown (sent chunked); {@code body} null for none
   * @throws RejectedBody when the body's own stream refused it (the connection is closed, so the server never
   *     receives a whole body)
   */
  Response exchange(String method, String target, List<Map.Entry<String, String>> headers, InputStream body,
      long length) throws IOException {
    Connection connection = pooled();
    boolean reused = connection != null;
    if (connection == null) {
      connection = new Connection(server);
    }
    try {
      return send(connection, method, target, headers, body, length);
    } catch (RejectedBody | SourceFailure failed) {
      connection.close();
      throw failed;
    } catch (IOException e) {
      connection.close();
      if (reused && body == null) {
        // A pooled connection the server had closed meanwhile: retry once on a new one (nothing was consumed).
        Connection fresh = new Connection(server);
        try {
          return send(fresh, method, target, headers, null, length);
        } catch (IOException again) {
          fresh.close();
          throw again;
        }
      }
      throw e;
    }
  }

  /**
   * An idle connection used within the last {@value #MAX_IDLE_MILLIS} ms, or null. Older ones are closed: the
   * server may have closed them (Jetty's idle timeout is 30 s), and a request body written into one could be lost.
   */
  private Connection pooled() {
    Connection c;
    while ((c = idle.pollFirst()) != null) {
      if (System.nanoTime() - c.idleSince < MAX_IDLE_MILLIS * 1_000_000L && !c.socket.isClosed()) {
        return c;
      }
      c.close();
    }
    return null;
  }

  private Response send(Connection c, String method, String target, List<Map.Entry<String, String>> headers,
      InputStream body, long length) throws IOException {
    StringBuilder head = new StringBuilder(512);
    head.append(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: ")
        .append(server.getHostString()).append(':').append(server.getPort()).append("\r\n");
    for (Map.Entry<String, String> h : headers) {
      head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
    }
    boolean chunked = body != null && length < 0;
    if (chunked) {
      head.append("Transfer-Encoding: chunked\r\n");
    } else if (body != null || method.equals("PUT") || method.equals("POST")) {
      head.append("Content-Length: ").append(Math.max(length, 0)).append("\r\n");
    }
    head.append("\r\n");
    c.out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    if (body != null) {
      IOException writeFailure = null;
      try {
        copyBody(body, c.out, length, chunked);
      } catch (RejectedBody | SourceFailure failed) {
        throw failed;
      } catch (IOException e) {
        // The server may have answered early (a missing bucket) and closed: its answer is still worth reading.
        writeFailure = e;
      }
      if (writeFailure != null) {
        try {
          return readResponse(c, method, false);
        } catch (IOException unreadable) {
          writeFailure.addSuppressed(unreadable);
          throw writeFailure;
        }
      }
    }
    c.out.flush();
    return readResponse(c, method, true);
  }

  /**
   * The request body's own stream failed (the client hung up mid-body): the server gets nothing more and its answer
   * would never come, so the connection is dropped at once rather than waiting for one.
   */
  static final class SourceFailure extends IOException {
    private static final long serialVersionUID = 1L;

    SourceFailure(IOException cause) {
      super("the request body could not be read: " + cause.getMessage(), cause);
    }
  }

  private static int read(InputStream body, byte[] buffer, int length) throws IOException {
    try {
      return body.read(buffer, 0, length);
    } catch (RejectedBody rejected) {
      throw rejected;
    } catch (IOException e) {
      throw new SourceFailure(e);
    }
  }

  private static void copyBody(InputStream body, OutputStream out, long length, boolean chunked) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    if (chunked) {
      int n;
      while ((n = read(body, buffer, buffer.length)) > 0) {
        out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(buffer, 0, n);
        out.write('\r');
        out.write('\n');
      }
      out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      return;
    }
    long remaining = length;
    while (remaining > 0) {
      int n = read(body, buffer, (int) Math.min(buffer.length, remaining));
      if (n < 0) {
        throw new SourceFailure(new java.io.EOFException("the request body ended " + remaining
            + " bytes before its declared length"));
      }
      out.write(buffer, 0, n);
      remaining -= n;
    }
  }

  private Response readResponse(Connection c, String method, boolean reusable) throws IOException {
    String statusLine = line(c.in);
    while (statusLine.startsWith("HTTP/1.1 100") || statusLine.startsWith("HTTP/1.0 100")) {
      while (!line(c.in).isEmpty()) {
        // skip an interim response's headers
      }
      statusLine = line(c.in);
    }
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
      throw new IOException("not an HTTP response: " + statusLine);
    }
    int status = Integer.parseInt(parts[1]);
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    long contentLength = -1;
    boolean chunked = false;
    boolean close = parts[0].equals("HTTP/1.0");
    for (String h = line(c.in); !h.isEmpty(); h = line(c.in)) {
      int colon = h.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = h.substring(0, colon).trim();
      String value = h.substring(colon + 1).trim();
      String lower = name.toLowerCase(Locale.ROOT);
      switch (lower) {
        case "content-length" -> contentLength = Long.parseLong(value);
        case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
        case "connection" -> close |= value.equalsIgnoreCase("close");
        default -> { }
      }
      headers.add(Map.entry(name, value));
    }
    boolean noBody = method.equals("HEAD") || status == 204 || status == 304 || status / 100 == 1;
    boolean keep = reusable && !close;
    InputStream body;
    if (noBody) {
      body = new Body(InputStream.nullInputStream(), c, keep);
    } else if (chunked) {
      body = new Body(new ChunkedBody(c.in), c, keep);
    } else if (contentLength >= 0) {
      body = new Body(new BoundedBody(c.in, contentLength), c, keep);
    } else {
      body = new Body(c.in, c, false);
    }
    return new Response(status, headers, noBody && !method.equals("HEAD") ? 0 : contentLength, body);
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      if (out.size() >= MAX_HEAD) {
        throw new IOException("a response header line is longer than 64 KiB");
      }
      out.write(c);
    }
    if (c < 0 && out.size() == 0) {
      throw new IOException("the server closed the connection");
    }
    String s = out.toString(StandardCharsets.ISO_8859_1);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  @Override
  public void close() {
    Connection c;
    while ((c = idle.pollFirst()) != null) {
      c.close();
    }
  }

  /** One socket with its buffered streams. */
  private static final class Connection {
    final Socket socket;
    final InputStream in;
    final OutputStream out;
    long idleSince;

    Connection(InetSocketAddress server) throws IOException {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.connect(server, 10_000);
      in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
      out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    }

    void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  /** A response body: at its end (and close) the connection returns to the pool, or closes if cut short. */
  private final class Body extends FilterInputStream {
    private final Connection connection;
    private final boolean reusable;
    private boolean ended;
    private boolean released;

    Body(InputStream in, Connection connection, boolean reusable) {
      super(in);
      this.connection = connection;
      this.reusable = reusable;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      ended |= b < 0;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      ended |= n < 0;
      return n;
    }

    @Override
    public void close() {
      if (released) {
        return;
      }
      released = true;
      if (reusable && ended) {
        connection.idleSince = System.nanoTime();
        idle.offerFirst(connection);
      } else {
        connection.close();
      }
    }
  }

  /** Exactly {@code length} bytes of the underlying stream. */
  private static final class BoundedBody extends InputStream {
    private final InputStream in;
    private long remaining;

    BoundedBody(InputStream in, long length) {
      this.in = in;
      this.remaining = length;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (remaining == 0) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, remaining));
      if (n < 0) {
        throw new IOException("the response ended " + remaining + " bytes before its Content-Length");
      }
      remaining -= n;
      return n;
    }
  }

  /** An HTTP/1.1 chunked body, decoded; trailers are read and dropped. */
  private static final class ChunkedBody extends InputStream {
    private final InputStream in;
    private long chunkLeft;
    private boolean done;

    ChunkedBody(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (done) {
        return -1;
      }
      if (chunkLeft == 0) {
        String size = line(in);
        int semicolon = size.indexOf(';');
        chunkLeft = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
        if (chunkLeft == 0) {
          while (!line(in).isEmpty()) {
            // trailers
          }
          done = true;
          return -1;
        }
      }
      int n = in.read(b, off, (int) Math.min(len, chunkLeft));
      if (n < 0) {
        throw new IOException("the response ended inside a chunk");
      }
      chunkLeft -= n;
      if (chunkLeft == 0) {
        line(in);
      }
      return n;
    }
  }
}
