package dev.envelope.core;

import dev.envelope.core.keyring.RawAesKeyring;
import dev.envelope.core.keyring.RawRsaKeyring;
import dev.envelope.core.keyring.RsaPadding;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Random;

/** Deterministic test keys and keyrings shared by the tests of this module and of others (test-jar). */
public final class TestKeyrings {
  /** A fixed 256-bit AES wrapping key. */
  public static final byte[] AES_KEY = bytes(32, 7);
  private static KeyPair rsa;

  private TestKeyrings() {}

  public static RawAesKeyring aes() {
    return aes("test-namespace", "test-key", AES_KEY);
  }

  public static RawAesKeyring aes(String namespace, String name, byte[] key) {
    return RawAesKeyring.builder().keyNamespace(namespace).keyName(name).wrappingKey(key).build();
  }

  public static synchronized KeyPair rsaKeyPair() {
    if (rsa == null) {
      try {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        rsa = g.generateKeyPair();
      } catch (NoSuchAlgorithmException e) {
        throw new AssertionError(e);
      }
    }
    return rsa;
  }

  public static RawRsaKeyring rsa(RsaPadding padding) {
    KeyPair pair = rsaKeyPair();
    return RawRsaKeyring.builder().keyNamespace("test-rsa").keyName("rsa-2048").padding(padding)
        .publicKey(pair.getPublic()).privateKey(pair.getPrivate()).build();
  }

  /** {@code n} pseudo-random bytes from {@code seed}: reproducible test data. */
  public static byte[] bytes(int n, long seed) {
    byte[] out = new byte[n];
    new Random(seed).nextBytes(out);
    return out;
  }
}
