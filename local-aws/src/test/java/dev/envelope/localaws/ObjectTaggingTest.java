package dev.envelope.localaws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.s3.EncryptingS3Client;
import dev.envelope.s3.EncryptingS3ClientBuilder;
import dev.envelope.s3.ObjectChangedException;
import dev.envelope.s3.ObjectRekeyer;
import dev.envelope.s3.RekeyMethod;
import dev.envelope.s3.RekeyResult;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.DelegatingS3Client;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectTaggingRequest;
import software.amazon.awssdk.services.s3.model.GetObjectTaggingResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.TaggingDirective;

/**
 * Object tags through the endpoint (S3Proxy answers 501 to all of tagging; the front door keeps them): the
 * x-amz-tagging header on puts, copies and multipart uploads, Get/Put/DeleteObjectTagging, the tag count on reads,
 * S3's rules and refusals, overwrites and deletes, a restart with a data directory; and a re-key of an encrypted
 * object keeping its tags, by both methods, and not undoing tags changed while it runs.
 */
class ObjectTaggingTest {
  private static final String BUCKET = "tagged";
  @RegisterExtension
  static final LocalAwsExtension AWS = LocalAwsExtension.create();
  private static S3Client s3;

  @BeforeAll
  static void start() {
    s3 = client(AWS.get());
    s3.createBucket(b -> b.bucket(BUCKET));
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  private static S3Client client(LocalAws endpoint) {
    return endpoint.configure(S3Client.builder()).forcePathStyle(true).httpClient(UrlConnectionHttpClient.create())
        .build();
  }

  private static Map<String, String> tags(S3Client client, String key) {
    return client.getObjectTagging(b -> b.bucket(BUCKET).key(key)).tagSet().stream()
        .collect(Collectors.toMap(t -> t.key(), t -> t.value(), (a, b) -> a, TreeMap::new));
  }

  @Test
  void tagsSetOnAPutAreReadBackCountedReplacedAndDeleted() {
    s3.putObject(b -> b.bucket(BUCKET).key("ü/a").tagging("team=orders&note=a b+c%2Fd"), RequestBody.fromString("x"));
    assertEquals(Map.of("team", "orders", "note", "a b c/d"), tags(s3, "ü/a"));
    assertEquals(2, s3.headObject(b -> b.bucket(BUCKET).key("ü/a")).tagCount());
    assertEquals(2, s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("ü/a")).response().tagCount());

    s3.putObjectTagging(b -> b.bucket(BUCKET).key("ü/a").tagging(t -> t.tagSet(s -> s.key("env").value("test"))));
    assertEquals(Map.of("env", "test"), tags(s3, "ü/a"));
    s3.deleteObjectTagging(b -> b.bucket(BUCKET).key("ü/a"));
    assertEquals(Map.of(), tags(s3, "ü/a"));
    assertNull(s3.headObject(b -> b.bucket(BUCKET).key("ü/a")).tagCount(), "no count without tags");

    s3.putObject(b -> b.bucket(BUCKET).key("overwritten").tagging("a=1"), RequestBody.fromString("1"));
    s3.putObject(b -> b.bucket(BUCKET).key("overwritten"), RequestBody.fromString("2"));
    assertEquals(Map.of(), tags(s3, "overwritten"), "an overwrite without tags has none, as in S3");
    s3.putObject(b -> b.bucket(BUCKET).key("deleted").tagging("a=1"), RequestBody.fromString("1"));
    s3.deleteObject(b -> b.bucket(BUCKET).key("deleted"));
    s3.putObject(b -> b.bucket(BUCKET).key("deleted"), RequestBody.fromString("again"));
    assertEquals(Map.of(), tags(s3, "deleted"), "a deleted object's tags went with it");
    s3.putObject(b -> b.bucket(BUCKET).key("batch <&>").tagging("a=1"), RequestBody.fromString("1"));
    s3.deleteObjects(b -> b.bucket(BUCKET).delete(d -> d.objects(o -> o.key("batch <&>"))));
    s3.putObject(b -> b.bucket(BUCKET).key("batch <&>"), RequestBody.fromString("again"));
    assertEquals(Map.of(), tags(s3, "batch <&>"), "DeleteObjects too");
  }

  /** The same object named in every form the endpoint takes: path or virtual host, escaped one way or another. */
  @Test
  void tagsAndPartReadsFollowTheObjectWhicheverWayItIsNamed() throws Exception {
    String key = "a+b %c/ü~";
    s3.putObject(b -> b.bucket(BUCKET).key(key).tagging("form=sdk"), RequestBody.fromString("named"));
    // the space and '%' escaped, 'ü' as UTF-8 escapes, '~' escaped although it need not be
    String escaped = "/a%2Bb%20%25c/%C3%BC%7E";
    String byHost = rawWithHost("GET", BUCKET + ".s3.localhost.localstack.cloud", escaped + "?tagging");
    assertTrue(byHost.startsWith("HTTP/1.1 200") && byHost.contains("<Key>form</Key><Value>sdk</Value>"), byHost);
    String part = rawWithHost("GET", BUCKET + ".localhost", escaped + "?partNumber=1");
    assertTrue(part.startsWith("HTTP/1.1 206") && part.contains("x-amz-tagging-count: 1")
        && part.endsWith("\r\n\r\nnamed"), part);
    rawWithHost("DELETE", "localhost", "/" + BUCKET + escaped + "?tagging");
    assertEquals(Map.of(), tags(s3, key), "deleted through another spelling of the same name");
  }

  private static String rawWithHost(String method, String host, String target) throws java.io.IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), AWS.get().port())) {
      socket.getOutputStream().write((method + " " + target + " HTTP/1.1\r\nHost: " + host + ":" + AWS.get().port()
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void copiesAndMultipartUploadsCarryTagsAsS3Does() {
    s3.putObject(b -> b.bucket(BUCKET).key("source").tagging("origin=source"), RequestBody.fromString("data"));
    s3.copyObject(b -> b.sourceBucket(BUCKET).sourceKey("source").destinationBucket(BUCKET).destinationKey("copy"));
    assertEquals(Map.of("origin", "source"), tags(s3, "copy"), "COPY: the source's tags");
    s3.copyObject(b -> b.sourceBucket(BUCKET).sourceKey("source").destinationBucket(BUCKET).destinationKey("replaced")
        .taggingDirective(TaggingDirective.REPLACE).tagging("origin=request"));
    assertEquals(Map.of("origin", "request"), tags(s3, "replaced"), "REPLACE: the request's tags");

    String uploadId = s3.createMultipartUpload(b -> b.bucket(BUCKET).key("parts").tagging("kind=parts"))
        .uploadId();
    String etag = s3.uploadPart(b -> b.bucket(BUCKET).key("parts").uploadId(uploadId).partNumber(1),
        RequestBody.fromString("one part")).eTag();
    assertThrows(S3Exception.class, () -> tags(s3, "parts"), "no object before the completion");
    s3.completeMultipartUpload(b -> b.bucket(BUCKET).key("parts").uploadId(uploadId)
        .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(etag).build())));
    assertEquals(Map.of("kind", "parts"), tags(s3, "parts"));
    assertEquals(1, s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("parts").partNumber(1)).response().tagCount());
  }

  @Test
  void tagsThatBreakS3sRulesAreRefusedAndNothingIsStored() throws Exception {
    String eleven = java.util.stream.IntStream.range(0, 11).mapToObj(i -> "k" + i + "=v")
        .collect(Collectors.joining("&"));
    Map<String, String[]> refusals = Map.of(
        eleven, new String[] {"400", "BadRequest"},
        "a=1&a=2", new String[] {"400", "InvalidTag"},
        "aws:reserved=1", new String[] {"400", "InvalidTag"},
        "key=" + "v".repeat(257), new String[] {"400", "InvalidTag"},
        "bad%3Ckey=1", new String[] {"400", "InvalidTag"});
    for (Map.Entry<String, String[]> refusal : refusals.entrySet()) {
      S3Exception e = assertThrows(S3Exception.class, () -> s3.putObject(b -> b.bucket(BUCKET).key("refused")
          .tagging(refusal.getKey()), RequestBody.fromString("x")), refusal.getKey());
      assertEquals(Integer.parseInt(refusal.getValue()[0]), e.statusCode(), refusal.getKey());
      assertEquals(refusal.getValue()[1], e.awsErrorDetails().errorCode(), refusal.getKey());
    }
    assertEquals(404, assertThrows(S3Exception.class, () -> s3.headObject(b -> b.bucket(BUCKET).key("refused")))
        .statusCode(), "a refused put stores nothing");
    S3Exception missing = assertThrows(S3Exception.class, () -> tags(s3, "no such key"));
    assertEquals("NoSuchKey", missing.awsErrorDetails().errorCode());

    s3.putObject(b -> b.bucket(BUCKET).key("xxe"), RequestBody.fromString("x"));
    String body = "<?xml version=\"1.0\"?><!DOCTYPE t [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
        + "<Tagging><TagSet><Tag><Key>k</Key><Value>&e;</Value></Tag></TagSet></Tagging>";
    String answer = raw("PUT", "/" + BUCKET + "/xxe?tagging", body.getBytes(StandardCharsets.UTF_8));
    assertTrue(answer.startsWith("HTTP/1.1 400") && answer.contains("<Code>MalformedXML</Code>"), answer);
    assertEquals(Map.of(), tags(s3, "xxe"), "an entity is refused, not resolved");
  }

  /**
   * A refusal before the body (here: bad tags) answers a client that waits for "100 Continue" only after taking its
   * body; answered at once, the SDK's URLConnection client reported "Error writing request body to server" and
   * retried instead of reading the refusal (seen in CI).
   */
  @Test
  void aPutRefusedForItsTagsLetsAClientWaitingToSendItsBodySendItThenReadWhy() throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), AWS.get().port())) {
      OutputStream out = socket.getOutputStream();
      java.io.InputStream in = socket.getInputStream();
      out.write(("PUT /" + BUCKET + "/expecting HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n"
          + "x-amz-tagging: a=1&a=2\r\nExpect: 100-continue\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      StringBuilder interim = new StringBuilder();
      while (!interim.toString().endsWith("\r\n\r\n")) {
        interim.append((char) in.read());
      }
      assertTrue(interim.toString().startsWith("HTTP/1.1 100"), interim.toString());
      out.write("hello".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      byte[] head = new byte[12];
      assertEquals(12, in.readNBytes(head, 0, 12));
      assertEquals("HTTP/1.1 400", new String(head, StandardCharsets.US_ASCII));
    }
  }

  @Test
  void tagsSurviveARestartWithADataDirectory(@TempDir Path data) {
    try (LocalAws first = LocalAws.builder().port(0).dataDirectory(data).build(); S3Client client = client(first)) {
      client.createBucket(b -> b.bucket(BUCKET));
      client.putObject(b -> b.bucket(BUCKET).key("kept").tagging("a=1"), RequestBody.fromString("x"));
      client.putObject(b -> b.bucket(BUCKET).key("dropped").tagging("a=1"), RequestBody.fromString("x"));
      client.deleteObjectTagging(b -> b.bucket(BUCKET).key("dropped"));
    }
    try (LocalAws second = LocalAws.builder().port(0).dataDirectory(data).build(); S3Client client = client(second)) {
      assertEquals(Map.of("a", "1"), tags(client, "kept"));
      assertEquals(Map.of(), tags(client, "dropped"));
    }
  }

  /** Issue 21: a re-key keeps the object's tags, whichever way it rewrites the object. */
  @Test
  void aReKeyKeepsTheTagsOfAnEncryptedObjectByBothMethods() throws Exception {
    try (KmsClient kms = AWS.get().configure(KmsClient.builder()).httpClient(UrlConnectionHttpClient.create()).build()) {
      String oldKey = kms.createKey(b -> b.description("old")).keyMetadata().arn();
      String newKey = kms.createKey(b -> b.description("new")).keyMetadata().arn();
      EncryptingS3Client old = EncryptingS3Client.builder().wrappedClient(s3).keyring(KmsKeyring.create(kms, oldKey))
          .multipartThreshold(5L << 20).partSize(5L << 20).build();
      for (RekeyMethod method : RekeyMethod.values()) {
        byte[] data = new byte[(6 << 20) + 17];
        new Random(method.ordinal()).nextBytes(data);
        String key = "rekeyed/" + method;
        old.putObject(PutObjectRequest.builder().bucket(BUCKET).key(key).tagging("retain=7y&owner=finance").build(),
            RequestBody.fromBytes(data));
        RekeyResult result = ObjectRekeyer.builder().client(old).newWrappingKeys(KmsKeyring.create(kms, newKey))
            .method(method).build().rekey(BUCKET, key);
        assertEquals(RekeyResult.Outcome.REKEYED, result.outcome(), method + ": " + result);
        assertEquals(Map.of("retain", "7y", "owner", "finance"), tags(s3, key), method + " keeps the tags");
        EncryptingS3Client fresh = EncryptingS3Client.builder().wrappedClient(s3)
            .keyring(KmsKeyring.create(kms, newKey)).build();
        assertArrayEquals(data, fresh.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asByteArray(),
            method + ": the new key alone reads it");
      }
    }
  }

  /**
   * Tagging changes no ETag, so a re-key's conditional write cannot see it: tags changed while an object is re-keyed
   * fail that object (left as it is, with the new tags) instead of being undone by the rewrite; a re-run keeps them.
   */
  @Test
  void tagsChangedDuringAReKeyAreNotUndone() throws Exception {
    try (KmsClient kms = AWS.get().configure(KmsClient.builder()).httpClient(UrlConnectionHttpClient.create()).build()) {
      Map<RekeyMethod, int[]> sizes = Map.of(RekeyMethod.HEADER, new int[] {1000, 12_000_000},
          RekeyMethod.REENCRYPT, new int[] {0, 1000, 12_000_000});
      for (RekeyMethod method : RekeyMethod.values()) {
        for (int size : sizes.get(method)) {
          String what = method + " " + size + " bytes: ";
          String oldKey = kms.createKey(b -> b.description("old")).keyMetadata().arn();
          String newKey = kms.createKey(b -> b.description("new")).keyMetadata().arn();
          String key = "tag-race/" + method + "/" + size;
          // The tags change right after the re-key has read them.
          S3Client racing = new DelegatingS3Client(s3) {
            private boolean raced;

            @Override
            public synchronized GetObjectTaggingResponse getObjectTagging(GetObjectTaggingRequest request) {
              GetObjectTaggingResponse read = super.getObjectTagging(request);
              if (!raced) {
                raced = true;
                s3.putObjectTagging(b -> b.bucket(BUCKET).key(key).tagging(t -> t.tagSet(s -> s.key("hold")
                    .value("legal"))));
              }
              return read;
            }
          };
          byte[] data = new byte[size];
          new Random(size).nextBytes(data);
          EncryptingS3ClientBuilder underOld = EncryptingS3Client.builder().keyring(KmsKeyring.create(kms, oldKey))
              .multipartThreshold(5L << 20).partSize(5L << 20);
          underOld.wrappedClient(s3).build().putObject(PutObjectRequest.builder().bucket(BUCKET).key(key)
              .tagging("retain=30%20days&owner=finance").build(), RequestBody.fromBytes(data));
          byte[] before = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asByteArray();
          ObjectRekeyer viaRacing = ObjectRekeyer.builder().client(underOld.wrappedClient(racing).build())
              .newWrappingKeys(KmsKeyring.create(kms, newKey)).method(method).build();

          ObjectChangedException e = assertThrows(ObjectChangedException.class, () -> viaRacing.rekey(BUCKET, key));
          assertTrue(e.getMessage().contains("s3://" + BUCKET + "/" + key + " had its tags changed while it was "
              + "re-keyed") && e.getMessage().contains("run the re-key again"), what + e.getMessage());
          assertArrayEquals(before, s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asByteArray(),
              what + "the object is left as it was");
          assertEquals(Map.of("hold", "legal"), tags(s3, key), what + "the new tags stay");
          assertTrue(s3.listMultipartUploads(b -> b.bucket(BUCKET)).uploads().isEmpty(),
              what + "no upload left behind");

          RekeyResult again = ObjectRekeyer.builder().client(underOld.wrappedClient(s3).build())
              .newWrappingKeys(KmsKeyring.create(kms, newKey)).method(method).build().rekey(BUCKET, key);
          assertEquals(RekeyResult.Outcome.REKEYED, again.outcome(), what + again);
          assertEquals(Map.of("hold", "legal"), tags(s3, key), what + "the re-run keeps the new tags");
          assertArrayEquals(data, EncryptingS3Client.builder().wrappedClient(s3).keyring(KmsKeyring.create(kms,
              newKey)).build().getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asByteArray(), what);
        }
      }
    }
  }

  private static String raw(String method, String target, byte[] body) throws java.io.IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), AWS.get().port())) {
      OutputStream out = socket.getOutputStream();
      out.write((method + " " + target + " HTTP/1.1\r\nHost: localhost:" + AWS.get().port() + "\r\nContent-Type: "
          + "application/xml\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
