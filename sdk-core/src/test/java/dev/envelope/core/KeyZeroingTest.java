package dev.envelope.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.keyring.Keyring;
import dev.envelope.core.materials.DataKey;
import dev.envelope.core.materials.DecryptionMaterials;
import dev.envelope.core.materials.EncryptedDataKey;
import dev.envelope.core.materials.EncryptionMaterials;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Regression: after a failed key commitment or header tag, the unwrapped data key stayed live (the session that
 * would have zeroed it was never created). Every key a keyring hands out for a message that then fails a check
 * must be zeroed before the exception reaches the caller, through every decrypt API.
 */
class KeyZeroingTest {
  private static final Map<String, String> CONTEXT = Map.of("k", "v");
  private static final int FRAME = 64;

  /** Remembers every data key it unwrapped. */
  private static final class WatchingKeyring implements Keyring {
    private final Keyring delegate = TestKeyrings.aes();
    final List<DataKey> handedOut = new ArrayList<>();

    @Override
    public EncryptionMaterials onEncrypt(EncryptionMaterials materials) {
      return delegate.onEncrypt(materials);
    }

    @Override
    public DecryptionMaterials onDecrypt(DecryptionMaterials materials, List<EncryptedDataKey> edks) {
      DecryptionMaterials result = delegate.onDecrypt(materials, edks);
      handedOut.add(result.dataKey().orElseThrow());
      return result;
    }
  }

  private final WatchingKeyring keyring = new WatchingKeyring();
  private final Envelope envelope = Envelope.builder().keyring(keyring).frameLength(FRAME)
      .suite(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY).build();

  private int headerLength(byte[] message) throws Exception {
    try (RangeDecryptor ranged = envelope.rangeDecryptor(new ByteArrayInputStream(message), CONTEXT)) {
      return ranged.headerLength();
    }
  }

  private void assertZeroedAfterFailure(byte[] tampered, boolean headerFails) {
    List<Executable> apis = new ArrayList<>(List.of(
        () -> envelope.decrypt(tampered, CONTEXT),
        () -> envelope.decryptingStream(new ByteArrayInputStream(tampered), CONTEXT).readAllBytes()));
    if (headerFails) {
      apis.add(() -> envelope.rangeDecryptor(new ByteArrayInputStream(tampered), CONTEXT));
    }
    for (Executable api : apis) {
      int before = keyring.handedOut.size();
      assertThrows(AuthenticationFailedException.class, api);
      assertEquals(before + 1, keyring.handedOut.size(), "the keyring unwrapped a key for the message");
      assertTrue(keyring.handedOut.get(before).isDestroyed(), "the data key was zeroed after the failure");
    }
  }

  @Test
  void aFailedKeyCommitmentZeroesTheDataKey() throws Exception {
    byte[] message = envelope.encrypt(new byte[3 * FRAME], CONTEXT);
    byte[] tampered = message.clone();
    int commitment = headerLength(message) - 16 - 32;
    tampered[commitment + 5] ^= 1;
    assertZeroedAfterFailure(tampered, true);
  }

  @Test
  void aFailedHeaderTagZeroesTheDataKey() throws Exception {
    byte[] message = envelope.encrypt(new byte[3 * FRAME], CONTEXT);
    byte[] tampered = message.clone();
    tampered[headerLength(message) - 3] ^= 1;
    assertZeroedAfterFailure(tampered, true);
  }

  @Test
  void aFailedFrameZeroesTheKeysOfEveryApi() throws Exception {
    byte[] message = envelope.encrypt(new byte[3 * FRAME], CONTEXT);
    byte[] tampered = message.clone();
    int header = headerLength(message);
    tampered[header + 4 + 12 + 1] ^= 1; // inside the first frame's ciphertext
    assertZeroedAfterFailure(tampered, false);

    RangeDecryptor ranged = envelope.rangeDecryptor(new ByteArrayInputStream(tampered), CONTEXT);
    DataKey key = keyring.handedOut.get(keyring.handedOut.size() - 1);
    RangeDecryptor.Span span = ranged.span(0, 10, tampered.length);
    InputStream in = ranged.decrypt(new ByteArrayInputStream(tampered, (int) span.ciphertextStart(),
        (int) (span.ciphertextEnd() - span.ciphertextStart() + 1)), span);
    assertFalse(key.isDestroyed());
    assertThrows(AuthenticationFailedException.class, in::readAllBytes);
    assertTrue(key.isDestroyed(), "a failed frame zeroes the range decryptor's keys at once, not at close");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> ranged.span(FRAME, FRAME + 1,
        tampered.length));
    assertEquals("RangeDecryptor failed earlier: a frame of this message did not authenticate, so none of its "
        + "ranges is decrypted any more", e.getMessage());
    ranged.close();
  }
}
