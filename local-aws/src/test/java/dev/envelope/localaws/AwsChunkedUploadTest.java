package dev.envelope.localaws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * aws-chunked uploads written by hand, the way a client other than the SDK might get them wrong: a body cut short,
 * a chunk size that is not hex or too large, a decoded length that does not add up, a trailer checksum that does not
 * match. Each is refused with S3's error and leaves no object behind; a well-formed one lands whole.
 */
class AwsChunkedUploadTest {
  private static LocalAws aws;
  private static S3Client s3;

  @BeforeAll
  static void start() {
    aws = LocalAws.builder().port(0).build();
    s3 = aws.configure(S3Client.builder()).forcePathStyle(true).httpClient(UrlConnectionHttpClient.create()).build();
    s3.createBucket(b -> b.bucket("chunks"));
  }

  @AfterAll
  static void stop() {
    s3.close();
    aws.close();
  }

  /** An unsigned-trailer aws-chunked body of {@code data} in chunks of {@code chunk} bytes, with its CRC32. */
  private static byte[] encode(byte[] data, int chunk, String crc32) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int off = 0; off < data.length; off += chunk) {
      int n = Math.min(chunk, data.length - off);
      out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(data, off, n);
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    out.writeBytes(("0\r\nx-amz-checksum-crc32:" + crc32 + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  private static String crc32(byte[] data) {
    CRC32 crc = new CRC32();
    crc.update(data);
    long v = crc.getValue();
    return Base64.getEncoder().encodeToString(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8),
        (byte) v});
  }

  /** PUTs {@code body} as aws-chunked with {@code decodedLength}; answers the response, or "" if the server hung up. */
  private static String put(String key, byte[] body, long decodedLength, boolean cutShort) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), aws.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(("PUT /chunks/" + key + " HTTP/1.1\r\nHost: localhost\r\nContent-Encoding: aws-chunked\r\n"
          + "x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER\r\nx-amz-trailer: x-amz-checksum-crc32\r\n"
          + "x-amz-decoded-content-length: " + decodedLength + "\r\nContent-Length: " + body.length
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body, 0, cutShort ? body.length / 2 : body.length);
      out.flush();
      if (cutShort) {
        socket.shutdownOutput();
      }
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static void assertAbsent(String key) {
    org.junit.jupiter.api.Assertions.assertThrows(NoSuchKeyException.class,
        () -> s3.headObject(b -> b.bucket("chunks").key(key)), key + " must not have been stored");
  }

  @Test
  void aWellFormedBodyLandsWhole() throws IOException {
    byte[] data = new byte[200_003];
    new java.util.Random(1).nextBytes(data);
    String response = put("good", encode(data, 65_536, crc32(data)), data.length, false);
    assertTrue(response.startsWith("HTTP/1.1 200"), response);
    assertArrayEquals(data, s3.getObjectAsBytes(b -> b.bucket("chunks").key("good")).asByteArray());
  }

  @Test
  void aWrongTrailerChecksumIsBadDigestAndStoresNothing() throws IOException {
    byte[] data = "checksummed".getBytes(StandardCharsets.UTF_8);
    String response = put("bad-crc", encode(data, 8, crc32("something else".getBytes(StandardCharsets.UTF_8))),
        data.length, false);
    assertTrue(response.startsWith("HTTP/1.1 400") && response.contains("<Code>BadDigest</Code>"), response);
    assertAbsent("bad-crc");
  }

  @Test
  void aDecodedLengthThatDoesNotAddUpIsIncompleteBody() throws IOException {
    byte[] data = "twelve bytes".getBytes(StandardCharsets.UTF_8);
    for (long declared : new long[] {data.length - 1, data.length + 5}) {
      String key = "length-" + declared;
      String response = put(key, encode(data, 5, crc32(data)), declared, false);
      assertTrue(response.startsWith("HTTP/1.1 400") && response.contains("<Code>IncompleteBody</Code>"), response);
      assertAbsent(key);
    }
  }

  @Test
  void aChunkSizeThatIsNotHexOrTooLargeIsRefused() throws IOException {
    byte[] notHex = "zz\r\nabc\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    String response = put("not-hex", notHex, 3, false);
    assertTrue(response.contains("<Code>InvalidChunkSizeError</Code>"), response);
    byte[] huge = "7fffffff\r\nabc".getBytes(StandardCharsets.US_ASCII);
    response = put("huge", huge, 3, false);
    assertTrue(response.contains("<Code>InvalidChunkSizeError</Code>") && response.contains("at most 16777216"),
        response);
    assertAbsent("not-hex");
    assertAbsent("huge");
  }

  @Test
  void aTrailerChecksumThatWasNotAnnouncedIsMalformed() throws IOException {
    byte[] data = "announced crc32, sent sha256".getBytes(StandardCharsets.UTF_8);
    byte[] body = new String(encode(data, 64, "x"), StandardCharsets.ISO_8859_1)
        .replace("x-amz-checksum-crc32:x", "x-amz-checksum-sha256:" + Base64.getEncoder().encodeToString(
            new byte[32])).getBytes(StandardCharsets.ISO_8859_1);
    String response = put("undeclared", body, data.length, false);
    assertTrue(response.startsWith("HTTP/1.1 400") && response.contains("<Code>MalformedTrailerError</Code>"),
        response);
    assertAbsent("undeclared");
  }

  @Test
  void aBodyCutShortStoresNothing() throws IOException {
    byte[] data = new byte[100_000];
    new java.util.Random(2).nextBytes(data);
    put("cut", encode(data, 10_000, crc32(data)), data.length, true);
    assertAbsent("cut");
  }

  @Test
  void anEmptyObjectStillHasItsTrailerChecked() throws IOException {
    String ok = put("empty", encode(new byte[0], 1, crc32(new byte[0])), 0, false);
    assertTrue(ok.startsWith("HTTP/1.1 200"), ok);
    assertEquals(0, s3.headObject(b -> b.bucket("chunks").key("empty")).contentLength());
    String bad = put("empty-bad", encode(new byte[0], 1, "AAAAAQ=="), 0, false);
    assertTrue(bad.contains("<Code>BadDigest</Code>"), bad);
    assertAbsent("empty-bad");
    s3.putObject(b -> b.bucket("chunks").key("sdk-empty"), RequestBody.empty());
    assertEquals(0, s3.headObject(b -> b.bucket("chunks").key("sdk-empty")).contentLength());
  }
}
