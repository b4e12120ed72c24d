package dev.envelope.core.spi;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.Mac;

/**
 * This thread's {@code AES/GCM/NoPadding} cipher, HMACs and digests, made once per thread and algorithm.
 *
 * <p>Why: {@code Cipher.getInstance} and {@code Mac.getInstance} parse the transformation and search the provider
 * list on every call, which took about a fifth of the time of a warm 1 KiB message; a JCA object re-initialised
 * with a new key costs only the key set-up, and AES-GCM skips even that when the key is the one of the previous
 * {@code init} (the header tag and the frames of one message).
 *
 * <p>Rules for callers, which make reuse safe: take the instance, {@code init} it, and finish it ({@code doFinal},
 * {@code digest}) in the same method, without calling code in between that could take the same instance (a
 * keyring, a sink, a callback); never keep it in a field, since the object that holds it may move to another
 * thread. Every use starts with {@code init} (or, for digests, from the reset state this class guarantees), so
 * what an earlier use left behind, even after an exception, does not leak into the next.
 *
 * <p>AES-GCM refuses to encrypt under the key and IV of its previous {@code init} (the JDK's nonce-reuse guard);
 * with one cipher per thread that guard now also spans operations, which only ever flags a genuine reuse.
 */
public final class JcaPerThread {
  private static final ThreadLocal<Instances> INSTANCES = ThreadLocal.withInitial(Instances::new);

  private JcaPerThread() {}

  /** This thread's {@code AES/GCM/NoPadding} cipher; {@code init} it before use. */
  public static Cipher aesGcm() throws GeneralSecurityException {
    Instances instances = INSTANCES.get();
    if (instances.aesGcm == null) {
      instances.aesGcm = Cipher.getInstance("AES/GCM/NoPadding");
    }
    return instances.aesGcm;
  }

  /**
   * This thread's second {@code AES/GCM/NoPadding} cipher, for long-lived wrapping keys (a raw AES keyring's): kept
   * apart from the per-message keys of {@link #aesGcm()}, it keeps the wrapping key's schedule from one message to
   * the next (about a microsecond saved per message); {@code init} it before use.
   */
  public static Cipher wrappingGcm() throws GeneralSecurityException {
    Instances instances = INSTANCES.get();
    if (instances.wrappingGcm == null) {
      instances.wrappingGcm = Cipher.getInstance("AES/GCM/NoPadding");
    }
    return instances.wrappingGcm;
  }

  /** This thread's {@code AES/CTR/NoPadding} cipher (a key stream generator); {@code init} it before use. */
  public static Cipher aesCtr() throws GeneralSecurityException {
    Instances instances = INSTANCES.get();
    if (instances.aesCtr == null) {
      instances.aesCtr = Cipher.getInstance("AES/CTR/NoPadding");
    }
    return instances.aesCtr;
  }

  /** This thread's {@link Mac} for {@code algorithm} (e.g. {@code HmacSHA256}); {@code init} it before use. */
  public static Mac mac(String algorithm) throws NoSuchAlgorithmException {
    Map<String, Mac> macs = INSTANCES.get().macs;
    Mac mac = macs.get(algorithm);
    if (mac == null) {
      mac = Mac.getInstance(algorithm);
      macs.put(algorithm, mac);
    }
    return mac;
  }

  /** This thread's {@link MessageDigest} for {@code algorithm}, reset. */
  public static MessageDigest digest(String algorithm) throws NoSuchAlgorithmException {
    Map<String, MessageDigest> digests = INSTANCES.get().digests;
    MessageDigest digest = digests.get(algorithm);
    if (digest == null) {
      digest = MessageDigest.getInstance(algorithm);
      digests.put(algorithm, digest);
    } else {
      digest.reset(); // an earlier use may have stopped half way through an exception
    }
    return digest;
  }

  private static final class Instances {
    private Cipher aesGcm;
    private Cipher wrappingGcm;
    private Cipher aesCtr;
    private final Map<String, Mac> macs = new HashMap<>(4);
    private final Map<String, MessageDigest> digests = new HashMap<>(4);
  }
}
