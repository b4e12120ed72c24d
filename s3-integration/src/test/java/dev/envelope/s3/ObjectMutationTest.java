package dev.envelope.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.envelope.core.CommitmentPolicy;
import dev.envelope.core.EnvelopeException;
import dev.envelope.core.adversarial.Adversarial;
import dev.envelope.core.adversarial.Mutation;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.encryption.s3.S3EncryptionClient;
import software.amazon.encryption.s3.internal.InstructionFileConfig;

/**
 * Objects in every format (framed, S3EC V3 and V2, metadata on the object or in an instruction file) changed in
 * S3 the ways a writer with bucket access can change them (body bytes flipped, cut, extended, spliced; metadata
 * values and instruction files altered) and read back through the adapter, whole, ranged, through the async client
 * and by {@code download}: nothing but an {@link EnvelopeException} (or S3's own 416 for a range the changed object
 * no longer has) may leave, and no read returns bytes that are not the plaintext's (a framed range may return its
 * own frames when the change lies elsewhere). Every tenth object also crosses the real S3 Encryption Client for
 * Java, both ways. Short mode in CI; {@code -Denvelope.adversarial=long} for more.
 */
class ObjectMutationTest {
  private static S3Client plain;
  private static String bucket;
  private static final SecretKeySpec AES = new SecretKeySpec(S3TestParts.AES_KEY, "AES");

  @BeforeAll
  static void start() {
    plain = S3TestParts.s3();
    bucket = S3TestParts.newBucket(plain, "mutation");
  }

  private static EncryptingS3Client client(ObjectFormat format, MetadataLocation location, int frame) {
    return EncryptingS3Client.builder().wrappedClient(S3TestParts.s3()).keyring(S3TestParts.aesKeyring())
        .s3ecKeyring(AesS3ecKeyring.create(AES, "aes", Map.of())).writeFormat(format).metadataLocation(location)
        .frameLength(frame).s3ecCommitmentPolicy(format == ObjectFormat.S3EC_V2
            ? CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT : CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT)
        .enableLegacyModes(true).build();
  }

  private static S3EncryptionClient theirs() {
    return S3EncryptionClient.builderV4().aesKey(AES)
        .commitmentPolicy(software.amazon.encryption.s3.CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT)
        .endpointOverride(S3TestParts.s3Endpoint()).forcePathStyle(true).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .instructionFileConfig(InstructionFileConfig.builder().instructionFileClient(S3TestParts.s3()).build())
        .build();
  }

  private interface Read {
    byte[] get() throws Exception;
  }

  /** Runs a read of a changed object: refused, or the true plaintext {@code expected} (null: must be refused). */
  private static void check(String what, Read read, byte[] expected) {
    byte[] got;
    try {
      got = read.get();
    } catch (EnvelopeException refused) {
      return;
    } catch (S3Exception e) {
      if (e.statusCode() == 416) {
        return;
      }
      throw new AssertionError(what + ": S3Exception " + e.statusCode() + " escaped: " + e.getMessage(), e);
    } catch (Exception | Error e) {
      throw new AssertionError(what + ": " + e.getClass().getName() + " escaped: " + e.getMessage(), e);
    }
    if (expected == null || !Arrays.equals(expected, got)) {
      fail(what + ": a changed object read as " + got.length + " bytes that are not its plaintext");
    }
  }

  /** An async result, its failure as the synchronous call would have thrown it. */
  private static <T> T joined(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  @Test
  void changedObjectsNeverReadAsOtherPlaintext() throws Exception {
    long seed = Adversarial.seed("ObjectMutationTest");
    Random random = new Random(seed);
    int rounds = Adversarial.rounds(60);
    List<ObjectFormat> formats = List.of(ObjectFormat.ENVELOPE_FRAMED, ObjectFormat.S3EC_V3, ObjectFormat.S3EC_V2);
    S3EncryptionClient theirs = theirs();
    int reads = 0;
    for (int round = 0; round < rounds; round++) {
      ObjectFormat format = formats.get(random.nextInt(formats.size()));
      MetadataLocation location = random.nextInt(3) == 0 ? MetadataLocation.INSTRUCTION_FILE
          : MetadataLocation.OBJECT_METADATA;
      int frame = 256 << random.nextInt(6);
      EncryptingS3Client client = client(format, location, frame);
      EncryptingS3AsyncClient async = client.toBuilder().buildAsync(S3TestParts.s3Async());
      byte[] plaintext = S3TestParts.random(random.nextInt(20) == 0 ? 300_000 : random.nextInt(8 * frame + 1),
          random.nextLong());
      String key = "round-" + round + "/" + Adversarial.text(random, 6).replaceAll("[^A-Za-z0-9]", "x");
      String where = "seed " + seed + " round " + round + " (" + format + ", " + location + ", frame " + frame
          + ", " + plaintext.length + " bytes)";
      client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(plaintext));
      assertArrayEquals(plaintext, client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray(), where);
      if (round % 10 == 0 && format != ObjectFormat.ENVELOPE_FRAMED && location == MetadataLocation.OBJECT_METADATA) {
        assertArrayEquals(plaintext, theirs.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray(),
            where + ": ours -> S3EC");
        theirs.putObject(b -> b.bucket(bucket).key(key + ".theirs"), RequestBody.fromBytes(plaintext));
        assertArrayEquals(plaintext, client.getObjectAsBytes(b -> b.bucket(bucket).key(key + ".theirs"))
            .asByteArray(), where + ": S3EC -> ours");
      }
      ResponseBytes<GetObjectResponse> stored = plain.getObjectAsBytes(b -> b.bucket(bucket).key(key));
      byte[] body = stored.asByteArray();
      Map<String, String> metadata = stored.response().metadata();
      for (int m = 0; m < 4; m++) {
        Map<String, String> changedMetadata = new HashMap<>(metadata);
        byte[] changedBody = body;
        String change;
        List<String> binaryFields = new ArrayList<>();
        for (String k : metadata.keySet()) {
          if (List.of("x-amz-d", "x-amz-i", "x-amz-3", "x-amz-key-v2", "x-amz-iv").contains(k)) {
            binaryFields.add(k);
          }
        }
        if (location == MetadataLocation.INSTRUCTION_FILE && format != ObjectFormat.ENVELOPE_FRAMED
            && random.nextInt(3) == 0) {
          byte[] instruction = plain.getObjectAsBytes(b -> b.bucket(bucket).key(key + ".instruction"))
              .asByteArray();
          Mutation mutation = Mutation.of(instruction, null, random);
          plain.putObject(b -> b.bucket(bucket).key(key + ".instruction"), RequestBody.fromBytes(mutation.bytes()));
          String what = where + ": instruction file: " + mutation;
          // Some fields are informational (x-amz-unencrypted-content-length): refused, or the true plaintext.
          check(what, () -> client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray(), plaintext);
          plain.putObject(b -> b.bucket(bucket).key(key + ".instruction"), RequestBody.fromBytes(instruction));
          reads++;
          continue;
        }
        if (!binaryFields.isEmpty() && random.nextInt(4) == 0) {
          String field = binaryFields.get(random.nextInt(binaryFields.size()));
          Mutation mutation = Mutation.of(Base64.getDecoder().decode(metadata.get(field)), null, random);
          changedMetadata.put(field, Base64.getEncoder().encodeToString(mutation.bytes()));
          change = "metadata " + field + ": " + mutation;
        } else {
          Mutation mutation = Mutation.of(body, null, random);
          changedBody = mutation.bytes();
          change = "body: " + mutation;
        }
        byte[] newBody = changedBody;
        plain.putObject(b -> b.bucket(bucket).key(key).metadata(changedMetadata), RequestBody.fromBytes(newBody));
        String what = where + ": " + change;
        // A changed body must be refused; a changed metadata value may only be refused or read as the plaintext.
        byte[] expectedWhole = newBody == body ? plaintext : null;
        check(what + " [whole]", () -> client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray(),
            expectedWhole);
        check(what + " [async]", () -> joined(async.getObject(b -> b.bucket(bucket).key(key),
            AsyncResponseTransformer.toBytes())).asByteArray(), expectedWhole);
        check(what + " [download]", () -> {
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          client.download(GetObjectRequest.builder().bucket(bucket).key(key).build(), out);
          return out.toByteArray();
        }, expectedWhole);
        reads += 2;
        if (format == ObjectFormat.ENVELOPE_FRAMED && plaintext.length > 0) {
          long first = random.nextInt(plaintext.length);
          long last = first + random.nextInt(3 * frame);
          byte[] expected = Arrays.copyOfRange(plaintext, (int) first, (int) Math.min(last + 1, plaintext.length));
          check(what + " [range " + first + "-" + last + "]", () -> client.getObjectAsBytes(b -> b.bucket(bucket)
              .key(key).range("bytes=" + first + "-" + last)).asByteArray(), expected);
          reads++;
        }
        reads++;
      }
      plain.putObject(b -> b.bucket(bucket).key(key).metadata(metadata), RequestBody.fromBytes(body));
    }
    System.out.println("ObjectMutationTest: " + rounds + " objects, " + reads + " reads of changed objects");
  }
}
