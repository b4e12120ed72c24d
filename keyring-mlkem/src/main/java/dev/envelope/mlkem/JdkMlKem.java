package dev.envelope.mlkem;

import static java.lang.invoke.MethodType.methodType;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import javax.crypto.SecretKey;

/**
 * ML-KEM from the JDK ({@code javax.crypto.KEM}, JDK 24 and later, JEP 496). This module is compiled for Java 17,
 * which has no {@code KEM} class, so the API is reached through method handles looked up once; {@link #load()}
 * returns null on a JDK without it.
 *
 * <p>Key encodings are checked by Bouncy Castle first (same refusals on every JDK). Private keys are handed to the
 * JDK in the one PKCS #8 form JDK 25 reads, the expanded key (Bouncy Castle writes seed and expanded key together,
 * which JDK 25.0.3 refuses); a JDK that cannot read even that falls back to Bouncy Castle for that key, so a key
 * that works on one JDK works on all.
 */
final class JdkMlKem implements MlKemEngine {
  private final MethodHandle getInstance;
  private final MethodHandle newEncapsulator;
  private final MethodHandle encapsulate;
  private final MethodHandle key;
  private final MethodHandle encapsulation;
  private final MethodHandle newDecapsulator;
  private final MethodHandle decapsulate;

  private JdkMlKem(MethodHandles.Lookup lookup) throws ReflectiveOperationException {
    Class<?> kem = Class.forName("javax.crypto.KEM");
    Class<?> encapsulator = Class.forName("javax.crypto.KEM$Encapsulator");
    Class<?> encapsulated = Class.forName("javax.crypto.KEM$Encapsulated");
    Class<?> decapsulator = Class.forName("javax.crypto.KEM$Decapsulator");
    getInstance = lookup.findStatic(kem, "getInstance", methodType(kem, String.class));
    newEncapsulator = lookup.findVirtual(kem, "newEncapsulator",
        methodType(encapsulator, PublicKey.class, SecureRandom.class));
    encapsulate = lookup.findVirtual(encapsulator, "encapsulate", methodType(encapsulated));
    key = lookup.findVirtual(encapsulated, "key", methodType(SecretKey.class));
    encapsulation = lookup.findVirtual(encapsulated, "encapsulation", methodType(byte[].class));
    newDecapsulator = lookup.findVirtual(kem, "newDecapsulator", methodType(decapsulator, PrivateKey.class));
    decapsulate = lookup.findVirtual(decapsulator, "decapsulate", methodType(SecretKey.class, byte[].class));
  }

  /** The JDK's ML-KEM, or null when this JDK has none (before 24, or a provider set without it). */
  static JdkMlKem load() {
    try {
      JdkMlKem jdk = new JdkMlKem(MethodHandles.publicLookup());
      jdk.getInstance.invoke("ML-KEM");
      KeyFactory.getInstance("ML-KEM");
      return jdk;
    } catch (Throwable e) { // ClassNotFoundException, NoSuchAlgorithmException: not this JDK
      return null;
    }
  }

  @Override
  public String name() {
    return "JDK";
  }

  @Override
  public EncapsulationKey encapsulationKey(byte[] subjectPublicKeyInfo, MlKemParameterSet set) {
    BouncyCastleMlKem.publicKey(subjectPublicKeyInfo, set); // the same checks and messages on every JDK
    PublicKey publicKey;
    try {
      publicKey = KeyFactory.getInstance("ML-KEM").generatePublic(new X509EncodedKeySpec(subjectPublicKeyInfo));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("The JDK cannot read this " + set.standardName() + " public key: "
          + e.getMessage(), e);
    }
    return random -> encapsulate(publicKey, random);
  }

  @Override
  public DecapsulationKey decapsulationKey(byte[] pkcs8, MlKemParameterSet set) {
    byte[] expanded = BouncyCastleMlKem.expandedPkcs8(pkcs8, set);
    PrivateKey privateKey;
    try {
      privateKey = KeyFactory.getInstance("ML-KEM").generatePrivate(new PKCS8EncodedKeySpec(expanded));
    } catch (GeneralSecurityException e) {
      return BouncyCastleMlKem.INSTANCE.decapsulationKey(pkcs8, set);
    } finally {
      Arrays.fill(expanded, (byte) 0);
    }
    Object decapsulator = invoke(() -> newDecapsulator.invoke(getInstance.invoke("ML-KEM"), privateKey));
    return ciphertext -> {
      BouncyCastleMlKem.checkLength(ciphertext, set);
      SecretKey secret = (SecretKey) invoke(() -> decapsulate.invoke(decapsulator, ciphertext));
      return secret.getEncoded();
    };
  }

  private MlKem.Encapsulated encapsulate(PublicKey publicKey, SecureRandom random) {
    Object result = invoke(() -> encapsulate.invoke(newEncapsulator.invoke(getInstance.invoke("ML-KEM"),
        publicKey, random)));
    SecretKey secret = (SecretKey) invoke(() -> key.invoke(result));
    return new MlKem.Encapsulated(secret.getEncoded(), (byte[]) invoke(() -> encapsulation.invoke(result)));
  }

  private interface Call {
    Object call() throws Throwable;
  }

  /** Runs a method handle; the JDK's checked exceptions become unchecked. */
  private static Object invoke(Call call) {
    try {
      return call.call();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalArgumentException("JDK ML-KEM: " + e, e);
    }
  }
}
