package dev.envelope.localaws.internal;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Passes a body through while hashing it, and releases its last byte only when the SHA-256 matches the
 * {@code x-amz-content-sha256} the signature covered: a body changed in flight never reaches the store whole.
 * Not thread-safe (one request's stream).
 */
public final class PayloadHashCheck extends InputStream {
  private final InputStream in;
  private final byte[] expected;
  private final String resource;
  private final MessageDigest sha256;
  private final byte[] ahead = new byte[64 * 1024];
  private int held = -1;
  private boolean done;

  public PayloadHashCheck(InputStream in, String expectedHex, String resource) {
    this.in = in;
    this.expected = HexFormat.of().parseHex(expectedHex);
    this.resource = resource;
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JCA", e);
    }
  }

  /** Whether {@code value} is a hex SHA-256 (rather than UNSIGNED-PAYLOAD or a streaming mode). */
  public static boolean isHexHash(String value) {
    return value != null && value.length() == 64 && value.chars().allMatch(c -> c >= '0' && c <= '9'
        || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F');
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (done) {
      return -1;
    }
    if (len == 0) {
      return 0;
    }
    if (held < 0) {
      held = in.read();
      if (held < 0) {
        check();
        done = true;
        return -1;
      }
      sha256.update((byte) held);
    }
    // One byte is always held back: it goes out once the next one is known, or at the end once the hash matched.
    int n = in.read(ahead, 0, Math.min(len, ahead.length));
    b[off] = (byte) held;
    if (n < 0) {
      check();
      done = true;
      return 1;
    }
    sha256.update(ahead, 0, n);
    System.arraycopy(ahead, 0, b, off + 1, n - 1);
    held = ahead[n - 1] & 0xff;
    return n;
  }

  private void check() throws IOException {
    if (!MessageDigest.isEqual(sha256.digest(), expected)) {
      String message = "The provided 'x-amz-content-sha256' header does not match what was computed.";
      throw new RejectedBody(ErrorShapes.s3(400, "XAmzContentSHA256Mismatch", message, resource), message);
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
