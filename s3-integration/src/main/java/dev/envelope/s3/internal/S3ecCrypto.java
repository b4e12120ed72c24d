package dev.envelope.s3.internal;

import dev.envelope.core.AuthenticationFailedException;
import dev.envelope.core.EnvelopeException;
import dev.envelope.core.spi.ByteWriter;
import dev.envelope.core.spi.ChunkInputStream;
import dev.envelope.core.spi.Hkdf;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.CipherInputStream;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Content encryption of the S3EC formats (spec: s3-encryption/encryption.md, key-derivation.md). V2: AES-GCM with
 * a random 12-byte IV and no AAD. V3: AES-GCM under {@code HKDF-SHA512(dataKey, salt = messageId,
 * info = 0x0073 || "DERIVEKEY")}, IV twelve 0x01 bytes, AAD 0x0073; commitment {@code info = 0x0073 ||
 * "COMMITKEY"}, 28 bytes.
 */
public final class S3ecCrypto {
  public static final int GCM_TAG_LENGTH = 16;
  public static final int V2_IV_LENGTH = 12;
  public static final int V3_MESSAGE_ID_LENGTH = 28;
  public static final int V3_COMMITMENT_LENGTH = 28;
  /** GCM's limit per (key, IV): 2^36 - 32 bytes of plaintext. */
  public static final long GCM_MAX_PLAINTEXT = (1L << 36) - 32;
  static final byte[] V3_SUITE_ID = {0x00, 0x73};
  static final byte[] V3_IV = filled(12, (byte) 0x01);

  private S3ecCrypto() {}

  private static byte[] filled(int n, byte b) {
    byte[] a = new byte[n];
    Arrays.fill(a, b);
    return a;
  }

  /** The content key, IV and AAD of one object. */
  public record ContentKey(SecretKey key, byte[] iv, byte[] aad) {}

  /** V2: the data key itself, the stored IV, no AAD. */
  public static ContentKey v2(byte[] dataKey, byte[] iv) {
    return new ContentKey(new SecretKeySpec(dataKey, "AES"), iv.clone(), new byte[0]);
  }

  /** V3: the HKDF-derived key, the fixed IV, the suite id as AAD. */
  public static ContentKey v3(byte[] dataKey, byte[] messageId) {
    byte[] key = expand(dataKey, messageId, "DERIVEKEY", 32);
    try {
      return new ContentKey(new SecretKeySpec(key, "AES"), V3_IV.clone(), V3_SUITE_ID.clone());
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /** V3 key commitment: 28 bytes, compared in constant time before any decryption. */
  public static byte[] v3Commitment(byte[] dataKey, byte[] messageId) {
    return expand(dataKey, messageId, "COMMITKEY", V3_COMMITMENT_LENGTH);
  }

  private static byte[] expand(byte[] dataKey, byte[] messageId, String label, int length) {
    byte[] labelBytes = label.getBytes(StandardCharsets.UTF_8);
    byte[] info = new byte[2 + labelBytes.length];
    System.arraycopy(V3_SUITE_ID, 0, info, 0, 2);
    System.arraycopy(labelBytes, 0, info, 2, labelBytes.length);
    try {
      return Hkdf.derive("HmacSHA512", messageId, dataKey, info, length);
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException("HKDF-SHA512 is unavailable: " + e.getMessage(), e);
    }
  }

  /** Ciphertext with the tag appended, produced as {@code plaintext} is read. */
  public static InputStream encrypt(ContentKey key, InputStream plaintext) {
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key.key(), new GCMParameterSpec(128, key.iv()));
      c.updateAAD(key.aad());
      return ChunkInputStream.over(new CipherInputStream(plaintext, c));
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException("AES-GCM is unavailable: " + e.getMessage(), e);
    }
  }

  /**
   * Plaintext of a GCM object released as it is decrypted, before the tag is checked (all but the last 64 KiB):
   * the S3EC's delayed-authentication mode, an explicit opt-in. See {@link GcmDecryptingInputStream}.
   */
  public static InputStream decryptDelayedAuthentication(ContentKey key, InputStream ciphertextAndTag) {
    return new GcmDecryptingInputStream(ciphertextAndTag, key);
  }

  /**
   * Plaintext of a GCM object released only after its tag verified, held in memory up to {@code memoryLimit}
   * bytes and past that in an encrypted temporary file in {@code spillDirectory}; see
   * {@link VerifiedBeforeReleaseInputStream}.
   */
  public static InputStream decryptVerifiedFirst(ContentKey key, InputStream ciphertextAndTag, long memoryLimit,
      Path spillDirectory) {
    return new VerifiedBeforeReleaseInputStream(new GcmDecryptingInputStream(ciphertextAndTag, key), memoryLimit,
        spillDirectory);
  }

  /**
   * Unauthenticated AES-CTR decryption of GCM ciphertext starting at 16-byte block {@code firstBlock}: GCM's
   * counter for data block {@code i} is {@code IV || (i + 2)}. Only for legacy ranged reads.
   */
  public static InputStream decryptCtr(ContentKey key, long firstBlock, InputStream ciphertext) {
    return ChunkInputStream.over(new CipherInputStream(ciphertext, ctr(key, firstBlock)));
  }

  static Cipher ctr(ContentKey key, long firstBlock) {
    byte[] counter = new byte[16];
    System.arraycopy(key.iv(), 0, counter, 0, 12);
    long value = firstBlock + 2;
    ByteWriter.putU32(counter, 12, (int) value);
    try {
      Cipher c = Cipher.getInstance("AES/CTR/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key.key(), new IvParameterSpec(counter));
      return c;
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException("AES-CTR is unavailable: " + e.getMessage(), e);
    }
  }

  /**
   * V1 legacy: AES-CBC with PKCS#5 padding; unauthenticated. Every decryption failure (bad padding, a length that
   * is not whole blocks) is one {@link AuthenticationFailedException} with one message, so that an attacker who
   * can modify objects learns nothing from which failure it was (a padding oracle); an I/O error of the source
   * stays an {@link IOException}.
   */
  public static InputStream decryptCbc(byte[] dataKey, byte[] iv, InputStream ciphertext) {
    try {
      Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
      c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(dataKey, "AES"), new IvParameterSpec(iv));
      InputStream plaintext = new CipherInputStream(ciphertext, c);
      return new ChunkInputStream() {
        @Override
        protected int readChunk(byte[] b, int off, int len) throws IOException {
          try {
            return plaintext.read(b, off, len);
          } catch (IOException e) {
            if (e.getCause() instanceof GeneralSecurityException) {
              throw CBC_FAILURE.get();
            }
            throw e;
          }
        }

        @Override
        public void close() throws IOException {
          plaintext.close();
        }
      };
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException("AES-CBC is unavailable: " + e.getMessage(), e);
    }
  }

  private static final java.util.function.Supplier<AuthenticationFailedException> CBC_FAILURE = () ->
      new AuthenticationFailedException("Object content failed to decrypt with legacy AES-CBC (S3EC V1, "
          + "unauthenticated): the object, its key or its IV was modified, or the data key is not this object's. "
          + "Legacy modes are for migrating such objects only");
}
