package dev.envelope.s3;

import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * An object as the SDK v1 encryption client wrote it (S3EC V1): AES-CBC content, the data key wrapped with AESWrap
 * under {@link S3TestParts#AES_KEY}, no authentication. Built by hand: no current library writes it.
 */
record LegacyCbcObject(byte[] body, Map<String, String> metadata) {
  static LegacyCbcObject of(byte[] plaintext, long seed) throws GeneralSecurityException {
    byte[] dataKey = S3TestParts.random(32, seed);
    byte[] iv = S3TestParts.random(16, seed + 1);
    Cipher cbc = Cipher.getInstance("AES/CBC/PKCS5Padding");
    cbc.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(dataKey, "AES"), new IvParameterSpec(iv));
    Cipher wrap = Cipher.getInstance("AESWrap");
    wrap.init(Cipher.WRAP_MODE, new SecretKeySpec(S3TestParts.AES_KEY, "AES"));
    return new LegacyCbcObject(cbc.doFinal(plaintext), Map.of(
        "x-amz-key", Base64.getEncoder().encodeToString(wrap.wrap(new SecretKeySpec(dataKey, "AES"))),
        "x-amz-iv", Base64.getEncoder().encodeToString(iv), "x-amz-matdesc", "{}",
        "x-amz-unencrypted-content-length", Integer.toString(plaintext.length)));
  }
}
