package dev.envelope.s3.internal;

import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.ContextInAudit;
import dev.envelope.core.audit.InMemoryAuditSink;
import dev.envelope.core.spi.AuditRecorder;
import dev.envelope.core.streams.StreamContract.ShortReads;
import dev.envelope.core.streams.StreamContract;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** s3-integration's streams, each through sdk-core's {@link StreamContract} over sources that give short reads. */
class S3StreamsContractTest {
  private static final byte[] PLAINTEXT = bytes(20_000, 5);
  private static final S3ecCrypto.ContentKey KEY = S3ecCrypto.v3(bytes(32, 1), bytes(28, 2));

  @TempDir
  Path spill;

  private static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static InputStream shortReads(byte[] data, long seed) {
    return new ShortReads(new ByteArrayInputStream(data), seed);
  }

  private static byte[] ciphertext() throws IOException {
    try (InputStream in = S3ecCrypto.encrypt(KEY, shortReads(PLAINTEXT, 9))) {
      return in.readAllBytes();
    }
  }

  @Test
  void gcmEncryptAndDecrypt() throws IOException {
    byte[] ciphertext = ciphertext();
    StreamContract.check("S3EC encrypt", () -> S3ecCrypto.encrypt(KEY, shortReads(PLAINTEXT, 10)), ciphertext);
    StreamContract.check("S3EC delayed-authentication decrypt",
        () -> S3ecCrypto.decryptDelayedAuthentication(KEY, shortReads(ciphertext, 11)), PLAINTEXT);
    StreamContract.check("S3EC verified-first decrypt, in memory",
        () -> S3ecCrypto.decryptVerifiedFirst(KEY, shortReads(ciphertext, 12), 1 << 20, spill), PLAINTEXT);
    StreamContract.check("S3EC verified-first decrypt, spilled",
        () -> S3ecCrypto.decryptVerifiedFirst(KEY, shortReads(ciphertext, 13), 4096, spill), PLAINTEXT);
  }

  @Test
  void legacyCbcDecrypt() throws Exception {
    byte[] key = bytes(32, 3);
    byte[] iv = bytes(16, 4);
    Cipher cbc = Cipher.getInstance("AES/CBC/PKCS5Padding");
    cbc.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
    byte[] ciphertext = cbc.doFinal(PLAINTEXT);
    StreamContract.check("S3EC V1 CBC decrypt", () -> S3ecCrypto.decryptCbc(key, iv, shortReads(ciphertext, 17)),
        PLAINTEXT);
  }

  @Test
  void replayGuard() throws IOException {
    ReplayGuardInputStream.Record record = new ReplayGuardInputStream.Record();
    // Every re-read of the same plaintext passes the guard, however it is read.
    StreamContract.check("replay guard", () -> new ReplayGuardInputStream(shortReads(PLAINTEXT, 14), record),
        PLAINTEXT);
  }

  @Test
  void boundedAndAudited() throws IOException {
    StreamContract.check("bounded", () -> new BoundedInputStream(shortReads(PLAINTEXT, 15), 12_345),
        Arrays.copyOf(PLAINTEXT, 12_345));
    InMemoryAuditSink sink = new InMemoryAuditSink();
    AuditRecorder recorder = new AuditRecorder(sink, ContextInAudit.HASHED, "s3://b/k");
    StreamContract.check("audited", () -> new AuditedInputStream(shortReads(PLAINTEXT, 16),
        recorder.start(AuditEvent.Operation.DECRYPT, Map.of())), PLAINTEXT);
  }
}
