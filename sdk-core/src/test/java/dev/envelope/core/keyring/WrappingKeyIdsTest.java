package dev.envelope.core.keyring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.Envelope;
import dev.envelope.core.MessageInfo;
import dev.envelope.core.TestKeyrings;
import dev.envelope.core.keystore.BranchKeyVersions;
import dev.envelope.core.materials.EncryptedDataKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link WrappingKeyIds}: the names the keyrings give, from provider id and info alone, for every provider. */
class WrappingKeyIdsTest {
  @Test
  void rawKeysAreNamedAsTheirKeyringsNameThem() throws IOException {
    Keyring aes = TestKeyrings.aes("ns", "\u00fcber-key", TestKeyrings.AES_KEY);
    byte[] message = Envelope.builder().keyring(MultiKeyring.create(aes,
        List.of(TestKeyrings.rsa(RsaPadding.OAEP_SHA256_MGF1)))).build().encrypt(new byte[1], Map.of());
    assertEquals(List.of("ns/\u00fcber-key", "test-rsa/rsa-2048"),
        MessageInfo.read(new ByteArrayInputStream(message)).wrappingKeyIds());
  }

  @Test
  void kmsKeysAreTheirArnsAndBranchKeysTheirIdAndVersion() {
    String arn = "arn:aws:kms:eu-west-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef";
    assertEquals(arn, WrappingKeyIds.of(EncryptedDataKey.of("aws-kms", arn.getBytes(StandardCharsets.UTF_8),
        new byte[100])));
    String version = "5f0e8a1c-3b6d-4f2a-9c7e-1d2b3a4c5d6e";
    byte[] ciphertext = ByteBuffer.allocate(92).put(new byte[16 + 12]).put(BranchKeyVersions.toBytes(version))
        .array();
    assertEquals("tenant-\u00e4@" + version, WrappingKeyIds.of(EncryptedDataKey.of("aws-kms-hierarchy",
        "tenant-\u00e4".getBytes(StandardCharsets.UTF_8), ciphertext)));
    assertEquals("tenant@?", WrappingKeyIds.of(EncryptedDataKey.of("aws-kms-hierarchy",
        "tenant".getBytes(StandardCharsets.UTF_8), new byte[10])), "a forged short EDK is named, not fatal");
  }

  @Test
  void ecdhKeysAndBytesThatAreNotTextAreNamedWithoutFailing() {
    String ecdh = WrappingKeyIds.of(EncryptedDataKey.of("raw-ecdh", new byte[] {1, 2, 3}, new byte[40]));
    assertTrue(ecdh.matches("raw-ecdh:[0-9a-f]{16}"), ecdh);
    assertEquals("ns/0xfffe", WrappingKeyIds.of(EncryptedDataKey.of("ns", new byte[] {(byte) 0xFF, (byte) 0xFE},
        new byte[40])));
  }
}
