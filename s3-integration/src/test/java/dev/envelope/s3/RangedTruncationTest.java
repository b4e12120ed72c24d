package dev.envelope.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.envelope.core.MalformedMessageException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.DelegatingS3Client;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Regression: an object cut after a whole frame read {@code bytes=0-} as a shorter, complete-looking plaintext with
 * a false Content-Range total, and {@code bytes=-N} returned bytes that were not the last N. Also: the HEAD and
 * the ranged GETs of one read are pinned to one object version by its ETag.
 */
class RangedTruncationTest {
  private static final int FRAME = 4096;
  private static S3Client plain;
  private static String bucket;
  private static EncryptingS3Client client;
  private static byte[] plaintext;

  @BeforeAll
  static void setUp() {
    plain = S3TestParts.s3();
    bucket = S3TestParts.newBucket(plain, "truncation");
    client = EncryptingS3Client.builder().wrappedClient(S3TestParts.s3()).keyring(S3TestParts.aesKeyring())
        .frameLength(FRAME).build();
    plaintext = S3TestParts.random(6 * FRAME + 1000, 21);
  }

  private static byte[] range(String key, String range) {
    return client.getObjectAsBytes(b -> b.bucket(bucket).key(key).range(range)).asByteArray();
  }

  @Test
  void anObjectCutAfterAWholeFrameFailsEveryRangeReachingTheEnd() {
    client.putObject(b -> b.bucket(bucket).key("whole"), RequestBody.fromBytes(plaintext));
    for (int frames = 2; frames <= 6; frames++) {
      String key = "cut-" + frames;
      client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(plaintext));
      ResponseBytes<GetObjectResponse> stored = plain.getObjectAsBytes(b -> b.bucket(bucket).key(key));
      byte[] bytes = stored.asByteArray();
      int header = bytes.length - 6 * (FRAME + 32) - (1000 + 40);
      byte[] cut = Arrays.copyOf(bytes, header + frames * (FRAME + 32));
      plain.putObject(b -> b.bucket(bucket).key(key).metadata(stored.response().metadata()),
          RequestBody.fromBytes(cut));
      assertThrows(MalformedMessageException.class, () -> range(key, "bytes=0-"), key);
      assertThrows(MalformedMessageException.class, () -> range(key, "bytes=-7"), key);
      assertThrows(MalformedMessageException.class, () -> range(key, "bytes=100-"), key);
      assertArrayEquals(Arrays.copyOfRange(plaintext, 0, 100), range(key, "bytes=0-99"), "authentic bytes short "
          + "of the end still read");
      assertThrows(MalformedMessageException.class, () -> client.getObjectAsBytes(b -> b.bucket(bucket).key(key)));
    }
    ResponseBytes<GetObjectResponse> complete = client.getObjectAsBytes(b -> b.bucket(bucket).key("whole")
        .range("bytes=-7"));
    assertArrayEquals(Arrays.copyOfRange(plaintext, plaintext.length - 7, plaintext.length), complete.asByteArray());
    assertEquals("bytes " + (plaintext.length - 7) + "-" + (plaintext.length - 1) + "/" + plaintext.length,
        complete.response().contentRange());
  }

  @Test
  void anObjectReplacedBetweenTheHeadAndTheRangedGetIsNotMixedIn() {
    client.putObject(b -> b.bucket(bucket).key("raced"), RequestBody.fromBytes(plaintext));
    byte[] other = S3TestParts.random(plaintext.length, 22);
    AtomicBoolean replaced = new AtomicBoolean();
    S3Client racing = new DelegatingS3Client(S3TestParts.s3()) {
      @Override
      public ResponseInputStream<GetObjectResponse> getObject(GetObjectRequest request) {
        ResponseInputStream<GetObjectResponse> response = super.getObject(request);
        if (replaced.compareAndSet(false, true)) {
          client.putObject(b -> b.bucket(bucket).key("raced"), RequestBody.fromBytes(other));
        }
        return response;
      }
    };
    EncryptingS3Client reader = client.toBuilder().wrappedClient(racing).build();
    S3Exception e = assertThrows(S3Exception.class, () -> reader.getObjectAsBytes(b -> b.bucket(bucket).key("raced")
        .range("bytes=" + 5 * FRAME + "-")));
    assertEquals(412, e.statusCode());
    assertArrayEquals(Arrays.copyOfRange(other, 5 * FRAME, other.length), range("raced", "bytes=" + 5 * FRAME + "-"));
  }
}
