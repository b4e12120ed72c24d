package dev.envelope.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.keyring.MultiKeyring;
import dev.envelope.core.keyring.RsaPadding;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link MessageInfo}: a header described without a key, reading nothing past it. */
class MessageInfoTest {
  @Test
  void describesTheHeaderAndNamesTheKeysAsTheKeyringsDo() throws IOException {
    Envelope envelope = Envelope.builder().keyring(MultiKeyring.create(TestKeyrings.aes("ns", "n\u00e4me",
        TestKeyrings.AES_KEY), List.of(TestKeyrings.rsa(RsaPadding.OAEP_SHA256_MGF1)))).frameLength(1000).build();
    byte[] message = envelope.encrypt(new byte[5000], Map.of("order", "42"));
    CountingStream in = new CountingStream(message);
    MessageInfo info = MessageInfo.read(in);

    DecryptResult decrypted = envelope.decrypt(message);
    assertEquals(List.of("ns/n\u00e4me", "test-rsa/rsa-2048"), info.wrappingKeyIds());
    assertTrue(info.wrappingKeyIds().containsAll(decrypted.wrappingKeyIds()));
    assertEquals(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384, info.suite());
    assertArrayEquals(decrypted.messageId(), info.messageId());
    assertEquals("42", info.encryptionContext().get("order"));
    assertTrue(info.framed());
    assertEquals(1000, info.frameLength());
    assertEquals(2, info.formatVersion());
    assertEquals(info.headerLength(), in.read, "read exactly the header");
  }

  @Test
  void notAMessageAndATruncatedHeaderAreMalformed() {
    byte[] message = Envelope.builder().keyring(TestKeyrings.aes()).build().encrypt(new byte[10], Map.of());
    assertThrows(MalformedMessageException.class,
        () -> MessageInfo.read(new ByteArrayInputStream("%PDF-1.7".getBytes())));
    MalformedMessageException truncated = assertThrows(MalformedMessageException.class,
        () -> MessageInfo.read(new ByteArrayInputStream(Arrays.copyOf(message, 40))));
    assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());
  }

  /** Counts what is read, one byte or a block at a time. */
  private static final class CountingStream extends InputStream {
    private final ByteArrayInputStream in;
    int read;

    CountingStream(byte[] bytes) {
      in = new ByteArrayInputStream(bytes);
    }

    @Override
    public int read() {
      int b = in.read();
      read += b < 0 ? 0 : 1;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      int n = in.read(b, off, len);
      read += Math.max(n, 0);
      return n;
    }
  }
}
