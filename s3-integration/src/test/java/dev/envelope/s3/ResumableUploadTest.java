package dev.envelope.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.AuthenticationFailedException;
import dev.envelope.core.audit.InMemoryAuditSink;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * {@link ResumableUploader}: an upload interrupted anywhere (an exception in-process, SIGKILL of a child JVM at a
 * random checkpoint) continues in a new client or process, and the object decrypts to the file; a file changed
 * since is refused; abort leaves nothing.
 */
class ResumableUploadTest {
  private static final long PART = 5L << 20;
  private static S3Client plain;
  private static String bucket;

  @BeforeAll
  static void bucket() {
    plain = S3TestParts.s3();
    bucket = S3TestParts.newBucket(plain, "resumable");
  }

  /** A client as a new process would build it: raw AES wrapping, parts of 5 MiB, two in flight. */
  static EncryptingS3Client client(S3Client wrapped) {
    return EncryptingS3Client.builder().wrappedClient(wrapped).keyring(S3TestParts.aesKeyring()).partSize(PART)
        .parallelism(2).auditSink(new InMemoryAuditSink()).build();
  }

  private static PutObjectRequest put(String key) {
    return PutObjectRequest.builder().bucket(bucket).key(key).build();
  }

  /** A file checkpoint that fails (as a crash would stop it) at its {@code failAt}-th save. */
  private static UploadCheckpoint crashingAt(Path file, int failAt) {
    UploadCheckpoint real = UploadCheckpoint.file(file);
    AtomicInteger saves = new AtomicInteger();
    return new UploadCheckpoint() {
      @Override
      public Optional<String> load() throws IOException {
        return real.load();
      }

      @Override
      public void save(String state) throws IOException {
        if (saves.incrementAndGet() == failAt) {
          throw new IOException("process stops here");
        }
        real.save(state);
      }

      @Override
      public void clear() throws IOException {
        real.clear();
      }
    };
  }

  private static boolean uploadsLeft(String key) {
    return plain.listMultipartUploads(b -> b.bucket(bucket)).uploads().stream().anyMatch(u -> u.key().equals(key));
  }

  @Test
  void anUploadStoppedAtEveryCheckpointResumesInANewClient(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("file");
    byte[] data = S3TestParts.random((int) (3 * PART + 1234), 1);
    Files.write(file, data);
    for (int stopAt = 1; stopAt <= 8; stopAt++) { // 1 + 2 per part: every save of 4 parts but the last
      String key = "stopped-" + stopAt;
      Path state = dir.resolve("state-" + stopAt);
      int at = stopAt;
      try (EncryptingS3Client first = client(S3TestParts.s3())) {
        IOException e = assertThrows(IOException.class, () -> first.resumableUploader().upload(put(key), file,
            crashingAt(state, at)));
        assertEquals("process stops here", e.getMessage());
      }
      assertThrows(NoSuchKeyException.class, () -> plain.headObject(b -> b.bucket(bucket).key(key)));
      if (stopAt > 1) {
        assertTrue(Files.exists(state), "the state survives the failure");
        try (EncryptingS3Client second = client(S3TestParts.s3())) {
          second.resumableUploader().upload(put(key), file, UploadCheckpoint.file(state));
          assertArrayEquals(data, second.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray(),
              "stopped at save " + stopAt);
        }
        assertFalse(Files.exists(state), "cleared once complete");
        assertFalse(uploadsLeft(key));
      }
    }
  }

  @Test
  void anUploadKilledAtARandomCheckpointResumesInAnotherProcess(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("file");
    long length = 8 * PART + 77;
    try (var out = Files.newOutputStream(file)) {
      TestData.stream(length, 5).transferTo(out);
    }
    Path state = dir.resolve("state.json");
    long seed = System.nanoTime();
    int killAt = 2 + new Random(seed).nextInt(16); // 19 saves in all: the first, then two per part
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        ResumableUploadMain.class.getName(), S3TestParts.s3Endpoint().toString(), bucket, "killed", file.toString(),
        state.toString()).redirectErrorStream(true).start();
    StringBuilder output = new StringBuilder();
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        output.append(line).append('\n');
        if (line.equals("saved " + killAt)) {
          child.destroyForcibly(); // SIGKILL: no shutdown hook, no finally block runs
          break;
        }
      }
    }
    assertTrue(child.waitFor(60, TimeUnit.SECONDS));
    assertTrue(output.toString().contains("saved " + killAt), "seed " + seed + ": " + output);
    assertFalse(output.toString().contains("done"), "killed before the end");
    try (EncryptingS3Client resumed = client(S3TestParts.s3())) {
      resumed.resumableUploader().upload(put("killed"), file, UploadCheckpoint.file(state));
      try (var in = resumed.getObject(b -> b.bucket(bucket).key("killed"))) {
        assertEquals(TestData.sha256(length, 5), TestData.sha256(in), "killed at save " + killAt + ", seed " + seed);
      }
    }
    assertFalse(Files.exists(state));
    assertFalse(uploadsLeft("killed"));
  }

  @Test
  void aFileChangedSinceIsRefusedAndAbortLeavesNothing(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("file");
    byte[] data = S3TestParts.random((int) (3 * PART), 2);
    Files.write(file, data);
    Path state = dir.resolve("state");
    try (EncryptingS3Client first = client(S3TestParts.s3())) {
      assertThrows(IOException.class, () -> first.resumableUploader().upload(put("changed"), file,
          crashingAt(state, 5))); // parts 1 and 2 stored, perhaps
    }
    data[100] ^= 1; // part 1 changes
    Files.write(file, data);
    try (EncryptingS3Client second = client(S3TestParts.s3())) {
      IOException e = assertThrows(IOException.class, () -> second.resumableUploader().upload(put("changed"), file,
          UploadCheckpoint.file(state)));
      assertTrue(e.getMessage().contains("differs from the part the interrupted upload")
          || e.getMessage().startsWith("Part 1 (frame 1) read different plaintext than its first attempt"),
          e.getMessage());
      assertTrue(uploadsLeft("changed"), "kept for the caller to decide");
      second.resumableUploader().abort(UploadCheckpoint.file(state));
    }
    assertFalse(uploadsLeft("changed"), "abort leaves no part");
    assertFalse(Files.exists(state), "nor the checkpoint");
    assertThrows(NoSuchKeyException.class, () -> plain.headObject(b -> b.bucket(bucket).key("changed")));
  }

  @Test
  void theCheckpointHoldsNoKeyAndIsCheckedAgainstTheUpload(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("file");
    Files.write(file, S3TestParts.random((int) (2 * PART), 3));
    Path state = dir.resolve("state");
    try (EncryptingS3Client client = client(S3TestParts.s3())) {
      assertThrows(IOException.class, () -> client.resumableUploader().upload(put("checked"), file,
          crashingAt(state, 3)));
      String json = Files.readString(state);
      Set<String> fields = new TreeSet<>(dev.envelope.s3.internal.JsonMaps.read(json, "state").keySet());
      assertTrue(fields.containsAll(Set.of("bucket", "format", "header", "key", "length", "partSize", "uploadId")),
          fields.toString());
      assertTrue(fields.stream().anyMatch(f -> f.endsWith(".firstTag")), "a part began: " + fields);
      assertTrue(fields.stream().allMatch(f -> Set.of("bucket", "format", "header", "key", "length", "partSize",
          "uploadId").contains(f) || f.matches("part\\.[12]\\.(firstTag|digest|eTag)")), "nothing else: " + fields);
      for (String form : new String[] {Base64.getEncoder().encodeToString(S3TestParts.AES_KEY),
          HexFormat.of().formatHex(S3TestParts.AES_KEY)}) {
        assertFalse(json.contains(form), "the wrapping key appears in no form");
      }

      IllegalStateException other = assertThrows(IllegalStateException.class, () -> client.resumableUploader()
          .upload(put("another-key"), file, UploadCheckpoint.file(state)));
      assertTrue(other.getMessage().contains("holds the upload of s3://" + bucket + "/checked"), other.getMessage());

      var values = new java.util.TreeMap<>(dev.envelope.s3.internal.JsonMaps.read(json, "state"));
      byte[] header = Base64.getDecoder().decode(values.get("header"));
      header[header.length - 1] ^= 1; // the header tag
      values.put("header", Base64.getEncoder().encodeToString(header));
      Path forged = dir.resolve("forged");
      Files.writeString(forged, dev.envelope.s3.internal.JsonMaps.write(values));
      assertThrows(AuthenticationFailedException.class, () -> client.resumableUploader().upload(put("checked"),
          file, UploadCheckpoint.file(forged)));

      client.resumableUploader().abort(UploadCheckpoint.file(state));
      Files.writeString(state, json); // the same state once more: its upload is gone now
      IllegalStateException gone = assertThrows(IllegalStateException.class, () -> client.resumableUploader()
          .upload(put("checked"), file, UploadCheckpoint.file(state)));
      assertTrue(gone.getMessage().contains("no longer exists"), gone.getMessage());
      Files.writeString(state, "{\"not\":\"a state\"}");
      assertThrows(IllegalStateException.class, () -> client.resumableUploader().upload(put("checked"), file,
          UploadCheckpoint.file(state)));
    }
  }

  @Test
  void smallAndBoundarySizesGoUpInOneGo(@TempDir Path dir) throws IOException {
    try (EncryptingS3Client client = client(S3TestParts.s3())) {
      for (long size : new long[] {0, 1, PART - 1, PART, PART + 1, 2 * PART}) {
        Path file = dir.resolve("size-" + size);
        byte[] data = S3TestParts.random((int) size, size);
        Files.write(file, data);
        Path state = dir.resolve("state-" + size);
        client.resumableUploader().upload(put("size-" + size), file, UploadCheckpoint.file(state));
        assertArrayEquals(data, client.getObjectAsBytes(b -> b.bucket(bucket).key("size-" + size)).asByteArray());
        assertFalse(Files.exists(state));
      }
    }
  }
}
