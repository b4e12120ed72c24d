package dev.envelope.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.AuthenticationFailedException;
import dev.envelope.core.CommitmentPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * Regressions: an S3EC-format GET handed out all but the last 64 KiB of plaintext before the GCM tag was checked,
 * so a flipped ciphertext bit reached the caller as a flipped plaintext bit; and a legacy CBC padding failure
 * surfaced as the SDK's RetryableException. Now nothing is released before the tag verifies (memory, then an
 * encrypted spill file), release-before-authentication is an explicit opt-in, and every CBC failure is one error.
 */
class S3ecReleaseRuleTest {
  private static final int SIZE = 300_000;
  private static S3Client plain;
  private static String bucket;
  private static EncryptingS3Client v3;
  private static byte[] data;

  @TempDir
  Path spill;

  @BeforeAll
  static void start() {
    plain = S3TestParts.s3();
    bucket = S3TestParts.newBucket(plain, "release");
    v3 = EncryptingS3Client.builder().wrappedClient(S3TestParts.s3()).writeFormat(ObjectFormat.S3EC_V3)
        .s3ecKeyring(KmsS3ecKeyring.create(S3TestParts.kms(), S3TestParts.keyArn())).build();
    data = S3TestParts.random(SIZE, 41);
  }

  /** Puts {@code data} through {@code writer} at {@code key}, then flips bit 0 of ciphertext byte {@code at}. */
  private static void putTampered(String key, int at) {
    v3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(data));
    ResponseBytes<GetObjectResponse> stored = plain.getObjectAsBytes(b -> b.bucket(bucket).key(key));
    byte[] body = stored.asByteArray();
    body[at] ^= 1;
    plain.putObject(b -> b.bucket(bucket).key(key).metadata(stored.response().metadata()),
        RequestBody.fromBytes(body));
  }

  private static InputStream open(EncryptingS3Client client, String key) {
    return client.getObject(b -> b.bucket(bucket).key(key));
  }

  @Test
  void byDefaultNotOneByteOfATamperedObjectIsReleased() throws IOException {
    putTampered("early-flip", 10);
    try (InputStream in = open(v3, "early-flip")) {
      AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class, in::read,
          "the very first read fails: nothing was released before the tag was checked");
      assertTrue(e.getMessage().contains("the framed format authenticates every 64 KiB frame"), e.getMessage());
    }
    assertThrows(AuthenticationFailedException.class, () -> v3.getObjectAsBytes(b -> b.bucket(bucket)
        .key("early-flip")));
  }

  @Test
  void delayedAuthenticationIsAnOptInThatReleasesMalleablePlaintext() throws IOException {
    putTampered("delayed", 10);
    EncryptingS3Client delayed = v3.toBuilder().enableDelayedAuthenticationMode(true).build();
    try (InputStream in = delayed.getObject(b -> b.bucket(bucket).key("delayed"))) {
      byte[] first = in.readNBytes(64 * 1024);
      assertEquals((byte) (data[10] ^ 1), first[10], "the opt-in hands out the flipped bit before the tag");
      assertThrows(AuthenticationFailedException.class, in::readAllBytes);
    }
  }

  @Test
  void pastTheBufferThePlaintextSpillsEncryptedAndIsDeletedOnClose() throws IOException {
    EncryptingS3Client small = v3.toBuilder().authenticationBufferSize(64 * 1024).spillDirectory(spill).build();
    v3.putObject(b -> b.bucket(bucket).key("spilled"), RequestBody.fromBytes(data));
    try (InputStream in = open(small, "spilled")) {
      byte[] head = in.readNBytes(1000);
      assertArrayEquals(Arrays.copyOf(data, 1000), head);
      List<Path> files = spillFiles();
      assertEquals(1, files.size(), "the object did not fit 64 KiB and spilled to one file");
      byte[] onDisk = Files.readAllBytes(files.get(0));
      assertTrue(onDisk.length > SIZE - 64 * 1024, "the rest of the object is in the file");
      for (int at = 70_000; at < SIZE - 32; at += 20_000) {
        byte[] window = Arrays.copyOfRange(data, at, at + 32);
        assertFalse(indexOf(onDisk, window) >= 0, "plaintext at " + at + " is on disk in the clear");
      }
      byte[] rest = in.readAllBytes();
      assertArrayEquals(Arrays.copyOfRange(data, 1000, SIZE), rest);
    }
    assertEquals(List.of(), spillFiles(), "the spill file is deleted on close");
    putTampered("spilled-tampered", SIZE - 5);
    assertThrows(AuthenticationFailedException.class, () -> open(small, "spilled-tampered").read());
    assertEquals(List.of(), spillFiles(), "a failed object leaves no spill file behind");
  }

  /**
   * The spill files in the directory, or, where the platform unlinks a DELETE_ON_CLOSE file as soon as it is
   * opened (Linux: nobody else can open it), the ones this process still holds open, seen through /proc.
   */
  private List<Path> spillFiles() throws IOException {
    try (Stream<Path> list = Files.list(spill)) {
      List<Path> visible = list.toList();
      if (!visible.isEmpty() || !Files.isDirectory(Path.of("/proc/self/fd"))) {
        return visible;
      }
    }
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.filter(fd -> {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          return target.startsWith(spill.toString()) && target.contains("envelope-s3-");
        } catch (IOException e) {
          return false; // a descriptor closed while listing
        }
      }).toList();
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  void everyLegacyCbcFailureIsOneErrorWithOneMessage() throws Exception {
    LegacyCbcObject v1 = LegacyCbcObject.of(data, 42);
    byte[] body = v1.body();
    Map<String, String> metadata = v1.metadata();
    EncryptingS3Client legacy = EncryptingS3Client.builder().wrappedClient(S3TestParts.s3())
        .writeFormat(ObjectFormat.S3EC_V3).enableLegacyModes(true)
        .s3ecCommitmentPolicy(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT)
        .s3ecKeyring(AesS3ecKeyring.create(new SecretKeySpec(S3TestParts.AES_KEY, "AES"), "aes", Map.of())).build();
    plain.putObject(b -> b.bucket(bucket).key("cbc").metadata(metadata), RequestBody.fromBytes(body));
    assertArrayEquals(data, legacy.getObjectAsBytes(b -> b.bucket(bucket).key("cbc")).asByteArray());

    byte[] badPadding = body.clone();
    badPadding[badPadding.length - 20] ^= 1; // the next-to-last block: the last block's padding breaks
    byte[] notWholeBlocks = Arrays.copyOf(body, body.length - 3);
    String message = null;
    for (byte[] variant : new byte[][] {badPadding, notWholeBlocks}) {
      plain.putObject(b -> b.bucket(bucket).key("cbc-bad").metadata(metadata), RequestBody.fromBytes(variant));
      AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class,
          () -> legacy.getObjectAsBytes(b -> b.bucket(bucket).key("cbc-bad")));
      if (message != null) {
        assertEquals(message, e.getMessage(), "no failure can be told from another");
      }
      message = e.getMessage();
    }
    assertEquals("Object content failed to decrypt with legacy AES-CBC (S3EC V1, unauthenticated): the object, "
        + "its key or its IV was modified, or the data key is not this object's. Legacy modes are for migrating "
        + "such objects only", message);
  }
}
