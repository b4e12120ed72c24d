package dev.envelope.benchmarks;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A light HTTP/1.1 client for the emulators' load figures: one keep-alive connection with TCP_NODELAY, pre-built
 * requests, each response read whole, so that the figure is the server's and not an SDK client's signing and
 * marshalling.
 */
public final class KeepAliveConnection implements AutoCloseable {
  private static final Pattern LENGTH = Pattern.compile("(?i)content-length:\\s*(\\d+)");

  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;

  public KeepAliveConnection(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setTcpNoDelay(true);
    out = socket.getOutputStream();
    in = new BufferedInputStream(socket.getInputStream(), 16384);
  }

  /** Sends one request and reads one whole response; fails unless the status is 200. */
  public String exchange(byte[] request) throws IOException {
    out.write(request);
    out.flush();
    StringBuilder head = new StringBuilder(256);
    int matched = 0;
    while (matched < 4) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("connection closed");
      }
      head.append((char) c);
      matched = (c == '\r' && (matched == 0 || matched == 2)) || (c == '\n' && (matched == 1 || matched == 3))
          ? matched + 1 : 0;
    }
    if (!head.toString().startsWith("HTTP/1.1 200")) {
      throw new IOException("unexpected response: " + head);
    }
    Matcher m = LENGTH.matcher(head);
    if (!m.find()) {
      throw new IOException("no Content-Length: " + head);
    }
    return new String(in.readNBytes(Integer.parseInt(m.group(1))), StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
