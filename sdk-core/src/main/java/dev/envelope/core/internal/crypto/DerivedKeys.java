package dev.envelope.core.internal.crypto;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.spi.Hkdf;
import dev.envelope.core.spi.ByteWriter;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The per-message keys derived from a data key (ESDK spec, algorithm-suites.md):
 * <ul>
 *   <li>identity suites: the data key itself;</li>
 *   <li>v1 HKDF suites: HKDF(hash, ikm = data key, salt = none, info = suiteId(2) || messageId(16));</li>
 *   <li>v2 committing suites: PRK = HKDF-Extract-SHA512(salt = messageId(32), ikm = data key), then
 *       encKey = Expand(PRK, suiteId(2) || "DERIVEKEY", 32) and commitKey = Expand(PRK, "COMMITKEY", 32).</li>
 * </ul>
 */
public final class DerivedKeys {
  private static final byte[] DERIVE_KEY_LABEL = "DERIVEKEY".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] COMMIT_KEY_LABEL = "COMMITKEY".getBytes(StandardCharsets.US_ASCII);

  private final SecretKey encryptionKey;
  private final byte[] commitKey;
  private final byte[] encryptionKeyBytes;

  private DerivedKeys(byte[] encryptionKeyBytes, byte[] commitKey) {
    this.encryptionKeyBytes = encryptionKeyBytes;
    this.encryptionKey = new SecretKeySpec(encryptionKeyBytes, "AES");
    this.commitKey = commitKey;
  }

  public static DerivedKeys derive(AlgorithmSuite suite, byte[] dataKey, byte[] messageId)
      throws GeneralSecurityException {
    if (dataKey.length != suite.dataKeyLength()) {
      throw new GeneralSecurityException("data key length " + dataKey.length + " does not fit " + suite);
    }
    byte[] suiteId = new byte[2];
    ByteWriter.putU16(suiteId, 0, suite.id());
    switch (suite.kdf()) {
      case IDENTITY:
        return new DerivedKeys(dataKey.clone(), null);
      case HKDF_SHA256:
      case HKDF_SHA384: {
        String mac = suite.kdf().macAlgorithm();
        byte[] prk = Hkdf.extract(mac, null, dataKey);
        byte[] key = Hkdf.expand(mac, prk, concat(suiteId, messageId), suite.encryptionKeyLength());
        Arrays.fill(prk, (byte) 0);
        return new DerivedKeys(key, null);
      }
      case HKDF_SHA512: {
        String mac = suite.kdf().macAlgorithm();
        byte[] prk = Hkdf.extract(mac, messageId, dataKey);
        byte[] key = Hkdf.expand(mac, prk, concat(suiteId, DERIVE_KEY_LABEL), suite.encryptionKeyLength());
        byte[] commit = Hkdf.expand(mac, prk, COMMIT_KEY_LABEL, 32);
        Arrays.fill(prk, (byte) 0);
        return new DerivedKeys(key, commit);
      }
      default:
        throw new AssertionError(suite.kdf());
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  public SecretKey encryptionKey() {
    return encryptionKey;
  }

  /** The 32-byte commitment key of committing suites, or null. */
  public byte[] commitKey() {
    return commitKey;
  }

  /** Zeroes our copies of the key bytes. (SecretKeySpec keeps its own copy, which the JDK cannot destroy.) */
  public void destroy() {
    Arrays.fill(encryptionKeyBytes, (byte) 0);
    if (commitKey != null) {
      Arrays.fill(commitKey, (byte) 0);
    }
  }
}
