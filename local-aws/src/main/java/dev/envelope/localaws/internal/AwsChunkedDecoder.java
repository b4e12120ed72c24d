package dev.envelope.localaws.internal;

import dev.envelope.kms.auth.SigV4Verifier;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;

/**
 * Decodes an S3 {@code aws-chunked} body ({@code STREAMING-AWS4-HMAC-SHA256-PAYLOAD}, its {@code -TRAILER}
 * variant and {@code STREAMING-UNSIGNED-PAYLOAD-TRAILER}) into the object's bytes. When the request's signature was
 * verified, every chunk's signature is checked against the chain that starts at the request's own signature, and
 * the trailer's signature too; the trailer's checksum ({@code x-amz-checksum-crc32}, {@code -crc32c}, {@code -sha1},
 * {@code -sha256}) is checked against the decoded bytes, and their count against
 * {@code x-amz-decoded-content-length}.
 *
 * <p>Chunks are released only after their signature verified, and the object's last byte only after the final chunk
 * and the trailer did: a body that fails anywhere never reaches the store whole, so no object is written. Memory is
 * one chunk (at most {@value #MAX_CHUNK} bytes). Not thread-safe (one request's stream).
 */
public final class AwsChunkedDecoder extends InputStream {
  static final int MAX_CHUNK = 16 << 20;

  private final InputStream in;
  private final SigV4Verifier.Verified verified;
  private final boolean signedChunks;
  private final boolean trailer;
  private final long decodedLength;
  private final String resource;
  private final MessageDigest chunkDigest;
  private final Map<String, Checksum> checksums = new LinkedHashMap<>();
  private final Map<String, MessageDigest> digests = new LinkedHashMap<>();
  private final java.util.Set<String> declared;
  private String previousSignature;
  private byte[] buffer = new byte[0];
  private int pos;
  private long decoded;
  private boolean finished;

  /**
   * @param contentSha256 the request's {@code x-amz-content-sha256}
   * @param verified the verified request, or null when signatures are not checked (open mode)
   * @param decodedLength {@code x-amz-decoded-content-length}, or -1 when absent
   * @param declaredTrailer {@code x-amz-trailer}, the trailer names the client announced, or null
   */
  public AwsChunkedDecoder(InputStream in, String contentSha256, SigV4Verifier.Verified verified, long decodedLength,
      String declaredTrailer, String resource) {
    this.in = in;
    this.signedChunks = contentSha256.startsWith("STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
    this.trailer = contentSha256.endsWith("-TRAILER");
    this.verified = signedChunks ? verified : null;
    this.previousSignature = verified == null ? null : verified.seedSignature();
    this.decodedLength = decodedLength;
    this.resource = resource;
    this.chunkDigest = sha("SHA-256");
    // Only the checksums the client announced are computed over the object (all four when it announced none).
    this.declared = declaredTrailer == null ? null : java.util.Arrays.stream(declaredTrailer.split(","))
        .map(t -> t.trim().toLowerCase(Locale.ROOT)).filter(t -> !t.isEmpty()).collect(
            java.util.stream.Collectors.toSet());
    for (String algorithm : new String[] {"crc32", "crc32c", "sha1", "sha256"}) {
      if (declared == null || declared.contains("x-amz-checksum-" + algorithm)) {
        switch (algorithm) {
          case "crc32" -> checksums.put(algorithm, new CRC32());
          case "crc32c" -> checksums.put(algorithm, new CRC32C());
          case "sha1" -> digests.put(algorithm, sha("SHA-1"));
          default -> digests.put(algorithm, sha("SHA-256"));
        }
      }
    }
  }

  /** Whether {@code contentSha256} names one of the aws-chunked encodings this class decodes. */
  public static boolean isAwsChunked(String contentSha256) {
    return contentSha256 != null && contentSha256.startsWith("STREAMING-");
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    // Keep the last byte of the buffer back until the next chunk (or the end) verified.
    while (buffer.length - pos <= 1 && !finished) {
      loadNextChunk();
    }
    int available = finished ? buffer.length - pos : buffer.length - pos - 1;
    if (available <= 0) {
      return -1;
    }
    int n = Math.min(len, available);
    System.arraycopy(buffer, pos, b, off, n);
    pos += n;
    return n;
  }

  private void loadNextChunk() throws IOException {
    String header = line();
    int semicolon = header.indexOf(';');
    long size;
    try {
      size = Long.parseLong((semicolon < 0 ? header : header.substring(0, semicolon)).trim(), 16);
    } catch (NumberFormatException e) {
      throw reject(400, "InvalidChunkSizeError", "Only the last chunk is allowed to have a size less than 8192 bytes"
          + " and every chunk must start with its size in hex; got '" + abbreviate(header) + "'");
    }
    if (size < 0 || size > MAX_CHUNK) {
      throw reject(400, "InvalidChunkSizeError", "Chunks are at most " + MAX_CHUNK + " bytes; got " + size);
    }
    byte[] data = in.readNBytes((int) size);
    if (data.length < size) {
      throw reject(400, "IncompleteBody", "The request body ended inside a chunk");
    }
    if (size > 0 && !line().isEmpty()) {
      throw reject(400, "IncompleteBody", "A chunk is not followed by CRLF");
    }
    if (verified != null) {
      String signature = semicolon < 0 ? null : parameter(header.substring(semicolon + 1), "chunk-signature");
      String expected = verified.chunkSignature(previousSignature, chunkDigest.digest(data));
      if (signature == null || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
          signature.getBytes(StandardCharsets.US_ASCII))) {
        throw reject(403, "SignatureDoesNotMatch", "The chunk signature of chunk " + (decoded == 0 ? "1"
            : "at byte " + decoded) + " does not match: the body was changed after it was signed");
      }
      previousSignature = expected;
    }
    decoded += size;
    if (decodedLength >= 0 && decoded > decodedLength) {
      throw reject(400, "IncompleteBody", "The body is longer than x-amz-decoded-content-length (" + decodedLength
          + ")");
    }
    update(data);
    byte[] next = new byte[buffer.length - pos + data.length];
    System.arraycopy(buffer, pos, next, 0, buffer.length - pos);
    System.arraycopy(data, 0, next, buffer.length - pos, data.length);
    buffer = next;
    pos = 0;
    if (size == 0) {
      finish();
    }
  }

  private void finish() throws IOException {
    Map<String, String> trailers = new LinkedHashMap<>();
    StringBuilder canonicalTrailer = new StringBuilder();
    String trailerSignature = null;
    for (String line = line(); !line.isEmpty(); line = line()) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        throw reject(400, "MalformedTrailerError", "The request contained trailing data that was not well-formed");
      }
      String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).trim();
      if (name.equals("x-amz-trailer-signature")) {
        trailerSignature = value;
      } else {
        trailers.put(name, value);
        canonicalTrailer.append(name).append(':').append(value).append('\n');
      }
    }
    if (verified != null && trailer) {
      String expected = verified.trailerSignature(previousSignature, chunkDigest.digest(canonicalTrailer.toString()
          .getBytes(StandardCharsets.UTF_8)));
      if (trailerSignature == null || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
          trailerSignature.getBytes(StandardCharsets.US_ASCII))) {
        throw reject(403, "SignatureDoesNotMatch", "The trailer signature does not match: the trailer was changed "
            + "after it was signed");
      }
    }
    if (decodedLength >= 0 && decoded != decodedLength) {
      throw reject(400, "IncompleteBody", "You did not provide the number of bytes specified by the "
          + "x-amz-decoded-content-length header (" + decodedLength + "); got " + decoded);
    }
    for (Map.Entry<String, String> t : trailers.entrySet()) {
      if (!t.getKey().startsWith("x-amz-checksum-")) {
        continue;
      }
      if (declared != null && !declared.contains(t.getKey())) {
        throw reject(400, "MalformedTrailerError", "The trailer " + t.getKey() + " was not announced in "
            + "x-amz-trailer");
      }
      String algorithm = t.getKey().substring("x-amz-checksum-".length());
      byte[] actual = checksum(algorithm);
      if (actual != null && !Base64.getEncoder().encodeToString(actual).equals(t.getValue())) {
        throw reject(400, "BadDigest", "The " + algorithm.toUpperCase(Locale.ROOT) + " you specified did not match "
            + "the calculated checksum.");
      }
    }
    finished = true;
  }

  private void update(byte[] data) {
    checksums.values().forEach(c -> c.update(data, 0, data.length));
    digests.values().forEach(d -> d.update(data));
  }

  /** The checksum of the decoded bytes under {@code algorithm}, or null for one not computed here (CRC64NVME). */
  private byte[] checksum(String algorithm) {
    Checksum c = checksums.get(algorithm);
    if (c != null) {
      long v = c.getValue();
      return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }
    MessageDigest d = digests.get(algorithm);
    return d == null ? null : d.digest();
  }

  /** One CRLF-terminated line (at most 4 KiB), without its terminator; empty at the end of the stream. */
  private String line() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(96);
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        break;
      }
      if (out.size() > 4096) {
        throw reject(400, "IncompleteBody", "A chunk header or trailer line is longer than 4 KiB");
      }
      out.write(c);
    }
    String s = out.toString(StandardCharsets.UTF_8);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  private static String parameter(String parameters, String name) {
    for (String p : parameters.split(";")) {
      int eq = p.indexOf('=');
      if (eq > 0 && p.substring(0, eq).trim().equals(name)) {
        return p.substring(eq + 1).trim();
      }
    }
    return null;
  }

  private RejectedBody reject(int status, String code, String message) {
    return new RejectedBody(ErrorShapes.s3(status, code, message, resource), message);
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

  private static MessageDigest sha(String name) {
    try {
      return MessageDigest.getInstance(name);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(name + " is missing from the JCA", e);
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
