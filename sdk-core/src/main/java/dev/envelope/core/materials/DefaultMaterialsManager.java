package dev.envelope.core.materials;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.EncryptionContextMismatchException;
import dev.envelope.core.EnvelopeException;
import dev.envelope.core.MalformedMessageException;
import dev.envelope.core.PolicyViolationException;
import dev.envelope.core.internal.crypto.EcdsaKeys;
import dev.envelope.core.keyring.Keyring;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The materials manager of the ESDK spec (default-cmm.md) over one keyring: picks the suite, adds the ephemeral
 * signing key of signed suites under {@code aws-crypto-public-key}, and asks the keyring on every call. On decrypt
 * it reconciles the expected context: pairs the message stores must match, and expected pairs it does not store
 * become required context keys, authenticated by the header tag.
 *
 * <p>Immutable and thread-safe if the keyring is.
 */
public final class DefaultMaterialsManager implements CryptoMaterialsManager {
  /** The context key holding the base64 compressed public key of signed suites. */
  public static final String PUBLIC_KEY_CONTEXT_KEY = "aws-crypto-public-key";

  private final Keyring keyring;

  private DefaultMaterialsManager(Keyring keyring) {
    this.keyring = keyring;
  }

  public static DefaultMaterialsManager create(Keyring keyring) {
    return new DefaultMaterialsManager(Objects.requireNonNull(keyring, "keyring"));
  }

  /** The keyring every request goes to. */
  public Keyring keyring() {
    return keyring;
  }

  @Override
  public EncryptionMaterials getEncryptionMaterials(EncryptionRequest request) {
    AlgorithmSuite suite = request.suite().orElse(request.commitmentPolicy().defaultSuite());
    if (!request.commitmentPolicy().allowsEncrypt(suite)) {
      throw new PolicyViolationException("Commitment policy " + request.commitmentPolicy()
          + " does not allow encrypting with " + suite);
    }
    Map<String, String> context = new HashMap<>(request.encryptionContext());
    if (context.containsKey(PUBLIC_KEY_CONTEXT_KEY)) {
      throw new PolicyViolationException("Encryption context already holds the reserved key "
          + PUBLIC_KEY_CONTEXT_KEY);
    }
    EncryptionMaterials.Builder materials = EncryptionMaterials.builder()
        .suite(suite)
        .requiredContextKeys(request.requiredContextKeys());
    if (suite.isSigned()) {
      try {
        KeyPair pair = EcdsaKeys.generate(suite.signature());
        byte[] compressed = EcdsaKeys.compress((ECPublicKey) pair.getPublic(), suite.signature());
        context.put(PUBLIC_KEY_CONTEXT_KEY, Base64.getEncoder().encodeToString(compressed));
        materials.signingKey(pair.getPrivate());
      } catch (GeneralSecurityException e) {
        throw new EnvelopeException("Cannot generate the " + suite.signature().curve() + " signing key", e);
      }
    }
    EncryptionMaterials result = keyring.onEncrypt(materials.encryptionContext(context).build());
    if (result.dataKey().isEmpty()) {
      throw new EnvelopeException("Keyring produced no data key: configure a keyring that generates one");
    }
    if (result.encryptedDataKeys().isEmpty()) {
      throw new EnvelopeException("Keyring produced no encrypted data key: the message could never be decrypted");
    }
    return result;
  }

  @Override
  public DecryptionMaterials decryptMaterials(DecryptionRequest request) {
    AlgorithmSuite suite = request.suite();
    Map<String, String> stored = request.storedContext();
    Map<String, String> context = new HashMap<>(stored);
    Set<String> required = new HashSet<>();
    for (Map.Entry<String, String> e : request.reproducedContext().entrySet()) {
      String storedValue = stored.get(e.getKey());
      if (storedValue == null) {
        required.add(e.getKey());
        context.put(e.getKey(), e.getValue());
      } else if (!storedValue.equals(e.getValue())) {
        throw new EncryptionContextMismatchException("Encryption context key '" + e.getKey()
            + "' has a different value in the message than expected");
      }
    }
    DecryptionMaterials.Builder materials = DecryptionMaterials.builder()
        .suite(suite)
        .encryptionContext(context)
        .requiredContextKeys(required);
    String publicKey = stored.get(PUBLIC_KEY_CONTEXT_KEY);
    if (suite.isSigned()) {
      if (publicKey == null) {
        throw new MalformedMessageException("Signed suite " + suite + " but the message has no "
            + PUBLIC_KEY_CONTEXT_KEY);
      }
      try {
        materials.verificationKey(EcdsaKeys.decompress(Base64.getDecoder().decode(publicKey), suite.signature()));
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        throw new MalformedMessageException("Message's " + PUBLIC_KEY_CONTEXT_KEY + " is not a valid "
            + suite.signature().curve() + " point");
      }
    } else if (publicKey != null) {
      throw new MalformedMessageException("Unsigned suite " + suite + " but the message has "
          + PUBLIC_KEY_CONTEXT_KEY);
    }
    DecryptionMaterials result = keyring.onDecrypt(materials.build(), request.encryptedDataKeys());
    if (result.dataKey().isEmpty()) {
      throw new EnvelopeException("Keyring returned no data key and no error");
    }
    return result;
  }
}
