package dev.envelope.kms.internal;

import java.security.KeyPair;
import java.time.Instant;
import java.util.HexFormat;

/**
 * One version of a key's material. Symmetric and HMAC keys hold {@code secret}; asymmetric keys hold
 * {@code keyPair}. {@code id} is the 32-byte KeyMaterialId (64 hex characters on the wire) that ciphertexts name,
 * so that every version stays decryptable after rotation.
 */
public record KeyMaterial(byte[] id, byte[] secret, KeyPair keyPair, Instant created, String rotationType) {
  public String idHex() {
    return HexFormat.of().formatHex(id);
  }
}
