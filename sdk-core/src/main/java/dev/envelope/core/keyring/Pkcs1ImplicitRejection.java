package dev.envelope.core.keyring;

import dev.envelope.core.EnvelopeException;
import dev.envelope.core.spi.Hkdf;
import dev.envelope.core.spi.SecureRandoms;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.interfaces.RSAKey;
import java.util.Arrays;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;

/**
 * PKCS #1 v1.5 decryption of a data key with implicit rejection, the defence against Bleichenbacher-style padding
 * oracles recommended since the Marvin attack (draft-irtf-cfrg-rsa-guidance): the ciphertext is decrypted with raw
 * RSA (the JCA's {@code RSA/ECB/NoPadding}, blinded), the padding is checked without branching on its contents,
 * and when it is wrong (or the key inside has the wrong length) a pseudo-random key derived from the private key
 * and the ciphertext is returned instead. Every ciphertext thus yields a key of the right length by the same path,
 * and a wrong one fails later, at the key commitment or header tag, with the same error as any wrong key: an
 * attacker sending modified ciphertexts learns nothing from which check failed, nor from when. The same bad
 * ciphertext always yields the same substitute key. Java offers no timing guarantees; the code avoids
 * data-dependent branches and lookups, which is what it can do.
 */
final class Pkcs1ImplicitRejection {
  private static final byte[] LABEL = "envelope pkcs1 implicit rejection".getBytes(StandardCharsets.US_ASCII);
  private final PrivateKey privateKey;
  private final int modulusBytes;
  private final byte[] derivationKey;

  Pkcs1ImplicitRejection(PrivateKey privateKey) {
    this.privateKey = privateKey;
    this.modulusBytes = (((RSAKey) privateKey).getModulus().bitLength() + 7) / 8;
    byte[] encoded = privateKey.getEncoded();
    try {
      // The draft's key derivation key: a hash of the private key, secret to anyone without it. A key that will
      // not export itself (a hardware key) gets a random one instead: substitutes stay stable for this keyring.
      this.derivationKey = encoded == null ? SecureRandoms.bytes(32)
          : MessageDigest.getInstance("SHA-256").digest(encoded);
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException("SHA-256 is unavailable: " + e.getMessage(), e);
    }
  }

  /** The {@code length}-byte key in {@code ciphertext}, or the substitute key if it holds none. */
  byte[] decrypt(byte[] ciphertext, int length) {
    byte[] substitute = substitute(ciphertext, length);
    byte[] em = new byte[modulusBytes];
    int good = 0;
    if (ciphertext.length == modulusBytes) { // the length is public: branching on it reveals nothing
      try {
        Cipher rsa = Cipher.getInstance("RSA/ECB/NoPadding");
        rsa.init(Cipher.DECRYPT_MODE, privateKey);
        byte[] raw = rsa.doFinal(ciphertext);
        System.arraycopy(raw, 0, em, modulusBytes - raw.length, raw.length);
        Arrays.fill(raw, (byte) 0);
        good = wellFormed(em, length);
      } catch (BadPaddingException e) {
        good = 0; // a ciphertext not below the modulus: also public
      } catch (GeneralSecurityException e) {
        throw new EnvelopeException("RSA is unavailable: " + e.getMessage(), e);
      }
    }
    byte[] out = new byte[length];
    int mask = -good; // all ones when good, zero otherwise
    for (int i = 0; i < length; i++) {
      out[i] = (byte) ((em[modulusBytes - length + i] & mask) | (substitute[i] & ~mask));
    }
    Arrays.fill(em, (byte) 0);
    Arrays.fill(substitute, (byte) 0);
    return out;
  }

  /**
   * 1 when {@code em} is {@code 00 02 PS 00 M} with at least 8 non-zero PS bytes and {@code |M| = length}, else 0,
   * computed over every byte without branching on any of them.
   */
  private int wellFormed(byte[] em, int length) {
    int good = isZero(em[0] & 0xFF) & isZero((em[1] & 0xFF) ^ 2);
    int found = 0;
    int separator = 0;
    for (int i = 2; i < em.length; i++) {
      int zero = isZero(em[i] & 0xFF) & (found ^ 1);
      separator |= -zero & i;
      found |= zero;
    }
    good &= found;
    good &= lessOrEqual(10, separator); // PS is em[2..separator-1]: at least 8 bytes
    good &= isZero((em.length - separator - 1) ^ length);
    return good;
  }

  /** 1 if {@code x == 0}, else 0, for 0 <= x < 2^31. */
  private static int isZero(int x) {
    return ((x - 1) >>> 31) & ((~x) >>> 31);
  }

  /** 1 if {@code a <= b}, else 0, for non-negative ints. */
  private static int lessOrEqual(int a, int b) {
    return ((b - a) >>> 31) ^ 1;
  }

  private byte[] substitute(byte[] ciphertext, int length) {
    try {
      return Hkdf.derive("HmacSHA256", derivationKey, ciphertext, LABEL, length);
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException("HMAC-SHA-256 is unavailable: " + e.getMessage(), e);
    }
  }
}
