package dev.envelope.core.spi;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.internal.crypto.EcdsaKeys;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;

/**
 * The ECDSA keys of signed suites as the AWS libraries carry them: a fresh key pair per message (or item), its
 * public key as a SEC1 compressed point in the encryption context ({@code aws-crypto-public-key}, base64). For
 * formats outside this module that sign the same way (the AWS Database Encryption SDK's items).
 */
public final class SigningKeys {
  private SigningKeys() {}

  /** A new key pair on the curve of {@code signature}. */
  public static KeyPair generate(AlgorithmSuite.Signature signature) throws GeneralSecurityException {
    return EcdsaKeys.generate(signature);
  }

  /** SEC1 compressed point: 0x02 or 0x03 (parity of y), then x. */
  public static byte[] compress(ECPublicKey key, AlgorithmSuite.Signature signature) {
    return EcdsaKeys.compress(key, signature);
  }

  /**
   * The public key of a compressed point, checked to lie on the curve.
   *
   * @throws GeneralSecurityException if the encoding is wrong or the point is not on the curve
   */
  public static ECPublicKey decompress(byte[] encoded, AlgorithmSuite.Signature signature)
      throws GeneralSecurityException {
    return EcdsaKeys.decompress(encoded, signature);
  }
}
