package dev.envelope.dynamodb.internal.dbe;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.AuthenticationFailedException;
import dev.envelope.core.EnvelopeException;
import dev.envelope.core.MalformedMessageException;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.NoKeyringCouldDecryptException.Attempt;
import dev.envelope.core.keyring.HierarchicalKeyring;
import dev.envelope.core.keyring.Keyring;
import dev.envelope.core.materials.EncryptedDataKey;
import dev.envelope.core.spi.JcaPerThread;
import dev.envelope.core.spi.SecureRandoms;
import dev.envelope.core.spi.SigningKeys;
import dev.envelope.dynamodb.CryptoAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Encrypts and decrypts one item in the format of the AWS Database Encryption SDK for DynamoDB 3.9.0, byte for
 * byte: its header ({@link DbeHeader}), field encryption ({@link DbeKeys}), footer ({@link DbeFooter}),
 * encryption context ({@link DbeContext}) and intermediate key wrapping ({@link IntermediateKeyWrapping}). Items
 * written here are read by that library and the reverse. Immutable and thread-safe if the keyring is.
 */
public final class DbeItemCodec {
  public static final String HEADER = "aws_dbe_head";
  public static final String FOOTER = "aws_dbe_foot";
  /** The prefix of every attribute the format keeps for itself: header, footer, beacons. */
  public static final String RESERVED_PREFIX = DbeSchema.RESERVED_PREFIX;
  /**
   * The most EDKs a read tries: each can cost a KMS call, and a forged item could list 255. Items with more
   * recipients are refused (the AWS library writes them, but no table seen in practice has so many).
   */
  public static final int MAX_ENCRYPTED_DATA_KEYS = 16;

  private final DbeSchema schema;
  private final Keyring keyring;
  private final DbeSuite suite;
  private final byte[] tableName;

  public DbeItemCodec(DbeSchema schema, Keyring keyring, DbeSuite suite) {
    this.schema = Objects.requireNonNull(schema, "schema");
    this.keyring = Objects.requireNonNull(keyring, "keyring");
    this.suite = Objects.requireNonNull(suite, "suite");
    this.tableName = schema.tableNameBytes();
  }

  /** An encrypted item and what writing it took. */
  public record Encrypted(Map<String, AttributeValue> item, byte[] messageId, List<String> wrappingKeyIds,
      int kmsCalls, int keyStoreCalls) {}

  /** A decrypted item and what reading it took. */
  public record Decrypted(Map<String, AttributeValue> item, DbeSuite suite, byte[] messageId, String wrappingKeyId,
      int kmsCalls, int keyStoreCalls) {}

  /** A signed attribute in canonical order. */
  private record Field(String name, byte[] path, AttributeValue value) {}

  /**
   * Encrypts {@code item}.
   *
   * @throws IllegalArgumentException if an in-scope attribute has no action, or a key or included attribute is
   *     missing (with the AWS library's wording where it has one)
   */
  public Encrypted encrypt(Map<String, AttributeValue> item) {
    Objects.requireNonNull(item, "item");
    int version = schema.version();
    for (String key : schema.sortKey() == null ? Set.of(schema.partitionKey())
        : Set.of(schema.partitionKey(), schema.sortKey())) {
      if (!item.containsKey(key)) {
        throw new DbeFormatException("Key attribute " + key + " is missing from the item");
      }
    }
    Map<String, AttributeValue> out = new LinkedHashMap<>();
    List<Field> signed = signedFields(item, out);
    Map<String, String> context = DbeContext.of(schema, version, item, DbeContext.included(schema));
    Map<String, String> stored = new TreeMap<>();
    KeyPair signingPair = suite.isSigned() ? signingKeyPair(context, stored) : null;

    byte[] dataKey = SecureRandoms.bytes(32);
    DbeKeys keys = null;
    try {
      List<IntermediateKeyWrapping.Recipient> recipients = IntermediateKeyWrapping.wrap(keyring, dataKey, context);
      byte[] messageId = SecureRandoms.bytes(DbeHeader.MESSAGE_ID_LENGTH);
      byte[] legend = new byte[signed.size()];
      for (int i = 0; i < legend.length; i++) {
        legend[i] = (byte) schema.actions().get(signed.get(i).name()).legendChar();
      }
      List<EncryptedDataKey> edks = new ArrayList<>();
      recipients.forEach(r -> edks.add(r.edk()));
      keys = DbeKeys.derive(dataKey, messageId);
      DbeHeader header = DbeHeader.unsigned(version, suite, messageId, legend, stored, edks);
      header = header.withCommitment(keys.commitment(header.body()));
      byte[] headerBytes = header.toBytes();

      DbeFooter.CanonicalHash hash = new DbeFooter.CanonicalHash(headerBytes, DbeHeader.context(context));
      sealFields(keys, signed, legend, hash, out);
      List<byte[]> tagKeys = new ArrayList<>();
      recipients.forEach(r -> tagKeys.add(r.signingKey()));
      byte[] footer = DbeFooter.create(hash.finish(), tagKeys, signingPair == null ? null : signingPair.getPrivate());
      tagKeys.forEach(k -> Arrays.fill(k, (byte) 0));
      out.put(HEADER, AttributeValue.fromB(SdkBytes.fromByteArray(headerBytes)));
      out.put(FOOTER, AttributeValue.fromB(SdkBytes.fromByteArray(footer)));
      int kmsCalls = 0;
      int storeCalls = 0;
      List<String> keyIds = new ArrayList<>();
      for (IntermediateKeyWrapping.Recipient r : recipients) {
        kmsCalls += r.kmsCalls();
        storeCalls += r.keyStoreCalls();
        keyIds.add(r.wrappingKeyId());
      }
      return new Encrypted(out, messageId, keyIds, kmsCalls, storeCalls);
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException("Cannot encrypt the item: " + e.getMessage(), e);
    } finally {
      Arrays.fill(dataKey, (byte) 0);
      if (keys != null) {
        keys.destroy();
      }
    }
  }

  /**
   * The in-scope attributes of an item to write, in canonical order, each with a signing action; {@code out} gets
   * every attribute but the format's own (which the AWS library drops too).
   */
  private List<Field> signedFields(Map<String, AttributeValue> item, Map<String, AttributeValue> out) {
    for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
      if (!e.getKey().startsWith(DbeSchema.RESERVED_PREFIX)) {
        out.put(e.getKey(), e.getValue());
      }
    }
    List<Field> signed = inScope(out);
    for (Field field : signed) {
      CryptoAction action = schema.actions().get(field.name());
      if (action == null || action == CryptoAction.DO_NOTHING) {
        throw new DbeFormatException("No Crypto Action configured for attribute " + field.name());
      }
    }
    return signed;
  }

  /** The attributes of {@code item} in the signature's scope, in canonical-path order. */
  private List<Field> inScope(Map<String, AttributeValue> item) {
    List<Field> signed = new ArrayList<>();
    for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
      if (schema.inScope(e.getKey())) {
        signed.add(new Field(e.getKey(), CanonicalPath.of(tableName, e.getKey()), e.getValue()));
      }
    }
    signed.sort((a, b) -> Arrays.compareUnsigned(a.path(), b.path()));
    return signed;
  }

  /** A fresh P-384 key pair; its public key goes into the context and the header (0x6701 items). */
  private static KeyPair signingKeyPair(Map<String, String> context, Map<String, String> stored) {
    KeyPair pair;
    try {
      pair = SigningKeys.generate(AlgorithmSuite.Signature.ECDSA_P384);
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException("Cannot generate the P-384 signing key: " + e.getMessage(), e);
    }
    String publicKey = Base64.getEncoder().encodeToString(SigningKeys.compress((ECPublicKey) pair.getPublic(),
        AlgorithmSuite.Signature.ECDSA_P384));
    context.put(DbeContext.PUBLIC_KEY, publicKey);
    stored.put(DbeContext.PUBLIC_KEY, publicKey);
    return pair;
  }

  /** Encrypts the 'e' fields into {@code out} and adds every signed field to the canonical hash, in order. */
  private static void sealFields(DbeKeys keys, List<Field> signed, byte[] legend, DbeFooter.CanonicalHash hash,
      Map<String, AttributeValue> out) throws GeneralSecurityException {
    int encryptedCount = 0;
    for (byte b : legend) {
      encryptedCount += b == 'e' ? 1 : 0;
    }
    byte[] fieldKeys = keys.fieldKeys(encryptedCount);
    try {
      int ordinal = 0;
      for (int i = 0; i < signed.size(); i++) {
        Field field = signed.get(i);
        int typeId = DbeAttributes.typeId(field.value());
        byte[] value = DbeAttributes.serialize(field.value());
        if (legend[i] == 'e') {
          byte[] sealed = seal(fieldKeys, ordinal++, field.path(), typeId, value);
          hash.encrypted(field.path(), sealed);
          out.put(field.name(), AttributeValue.fromB(SdkBytes.fromByteArray(sealed)));
        } else {
          hash.plaintext(field.path(), typeId, value);
        }
      }
    } finally {
      Arrays.fill(fieldKeys, (byte) 0);
    }
  }

  private static byte[] seal(byte[] fieldKeys, int ordinal, byte[] path, int typeId, byte[] value)
      throws GeneralSecurityException {
    Cipher cipher = JcaPerThread.aesGcm();
    cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(fieldKeys, 48 * ordinal, 32, "AES"),
        new GCMParameterSpec(128, fieldKeys, 48 * ordinal + 32, 12));
    cipher.updateAAD(path);
    byte[] stored = new byte[2 + value.length + 16];
    stored[0] = (byte) (typeId >>> 8);
    stored[1] = (byte) typeId;
    cipher.doFinal(value, 0, value.length, stored, 2);
    return stored;
  }

  /**
   * Decrypts and verifies {@code item}.
   *
   * @throws MalformedMessageException if the header, the footer or an encrypted value is not in the format
   * @throws AuthenticationFailedException if the commitment, a recipient tag or the signature does not match
   * @throws NoKeyringCouldDecryptException if the keyring unwraps none of the item's data keys
   */
  public Decrypted decrypt(Map<String, AttributeValue> item) {
    try (Verified verified = verify(item, keyring)) {
      Map<String, AttributeValue> out = openFields(verified.keys, item, verified.signed, verified.legend,
          verified.encryptedCount);
      return new Decrypted(out, verified.header.suite(), verified.header.messageId(),
          verified.unwrapped.wrappingKeyId(), verified.kmsCalls, verified.storeCalls);
    } catch (GeneralSecurityException e) {
      throw new AuthenticationFailedException("Cannot verify the item: " + e.getMessage(), e);
    }
  }

  /** An item's header and footer written again, and what it took. */
  public record Rewrapped(byte[] header, byte[] footer, DbeSuite suite, byte[] messageId, String unwrappedBy,
      List<String> wrappingKeyIds, int kmsCalls, int keyStoreCalls) {}

  /**
   * A new header and footer for {@code item}: its data key, unwrapped with {@code unwrapWith}, wrapped under this
   * codec's keyring alone, the commitment and the footer computed again. The item is verified first (commitment,
   * recipient tag, signature) and no attribute is decrypted: the stored values, the message id and the data key
   * stay, so the two new attributes replace the old ones on the stored item. This is safe where it would not be
   * for an ESDK message: the commitment and the recipient tags are HMACs, and no field is encrypted again, so no
   * nonce is used twice. A signed item (0x6701) gets a new signing key pair (the old private key is gone): its new
   * public key is in the new header and in the encryption context the new data keys are bound to.
   *
   * @throws MalformedMessageException if the header or the footer is not in the format
   * @throws AuthenticationFailedException if the commitment, a recipient tag or the signature does not match
   * @throws NoKeyringCouldDecryptException if {@code unwrapWith} unwraps none of the item's data keys
   */
  public Rewrapped rewrap(Map<String, AttributeValue> item, Keyring unwrapWith) {
    Objects.requireNonNull(unwrapWith, "unwrapWith");
    try (Verified verified = verify(item, unwrapWith)) {
      DbeHeader old = verified.header;
      Map<String, String> context = new TreeMap<>(verified.context);
      Map<String, String> stored = new TreeMap<>(old.storedContext());
      KeyPair signingPair = null;
      if (old.suite().isSigned()) {
        context.remove(DbeContext.PUBLIC_KEY);
        stored.remove(DbeContext.PUBLIC_KEY);
        signingPair = signingKeyPair(context, stored);
      }
      List<IntermediateKeyWrapping.Recipient> recipients = IntermediateKeyWrapping.wrap(keyring,
          verified.unwrapped.dataKey(), context);
      List<EncryptedDataKey> edks = new ArrayList<>();
      List<byte[]> tagKeys = new ArrayList<>();
      List<String> keyIds = new ArrayList<>();
      int kmsCalls = verified.kmsCalls;
      int storeCalls = verified.storeCalls;
      for (IntermediateKeyWrapping.Recipient r : recipients) {
        edks.add(r.edk());
        tagKeys.add(r.signingKey());
        keyIds.add(r.wrappingKeyId());
        kmsCalls += r.kmsCalls();
        storeCalls += r.keyStoreCalls();
      }
      try {
        DbeHeader header = DbeHeader.unsigned(old.version(), old.suite(), old.messageId(), old.legend(), stored,
            edks);
        byte[] headerBytes = header.withCommitment(verified.keys.commitment(header.body())).toBytes();
        DbeFooter.CanonicalHash hash = new DbeFooter.CanonicalHash(headerBytes, DbeHeader.context(context));
        verified.hashFields(hash);
        byte[] footer = DbeFooter.create(hash.finish(), tagKeys, signingPair == null ? null
            : signingPair.getPrivate());
        return new Rewrapped(headerBytes, footer, old.suite(), old.messageId(), verified.unwrapped.wrappingKeyId(),
            keyIds, kmsCalls, storeCalls);
      } finally {
        tagKeys.forEach(k -> Arrays.fill(k, (byte) 0));
      }
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException("Cannot rewrap the item: " + e.getMessage(), e);
    }
  }

  /**
   * What verifying an item found: its header, signed attributes, encryption context and keys. Closing it zeroes
   * the keys.
   */
  private static final class Verified implements AutoCloseable {
    private final DbeHeader header;
    private final List<Field> signed;
    private final byte[] legend;
    private final Map<String, String> context;
    private final IntermediateKeyWrapping.Unwrapped unwrapped;
    private final int kmsCalls;
    private final int storeCalls;
    private DbeKeys keys;
    private int encryptedCount;

    private Verified(DbeHeader header, List<Field> signed, Map<String, String> context, Unwrapped found) {
      this.header = header;
      this.signed = signed;
      this.legend = header.legend();
      this.context = context;
      this.unwrapped = found.key();
      this.kmsCalls = found.kmsCalls();
      this.storeCalls = found.storeCalls();
    }

    /** Adds every signed attribute, as stored, to the canonical hash; counts the encrypted ones. */
    private void hashFields(DbeFooter.CanonicalHash hash) {
      encryptedCount = 0;
      for (int i = 0; i < legend.length; i++) {
        Field field = signed.get(i);
        if (legend[i] == 'e') {
          if (field.value().type() != AttributeValue.Type.B || field.value().b().asByteArrayUnsafe().length < 18) {
            throw new AuthenticationFailedException("Attribute " + field.name() + " is marked encrypted in the "
                + "header but is not an encrypted value");
          }
          hash.encrypted(field.path(), field.value().b().asByteArrayUnsafe());
          encryptedCount++;
        } else {
          hash.plaintext(field.path(), DbeAttributes.typeId(field.value()), DbeAttributes.serialize(field.value()));
        }
      }
    }

    @Override
    public void close() {
      Arrays.fill(unwrapped.dataKey(), (byte) 0);
      Arrays.fill(unwrapped.signingKey(), (byte) 0);
      if (keys != null) {
        keys.destroy();
      }
    }
  }

  /**
   * Parses and verifies {@code item} with the data key {@code unwrapWith} unwraps: the commitment, a recipient tag,
   * the signature; no attribute is decrypted.
   */
  private Verified verify(Map<String, AttributeValue> item, Keyring unwrapWith) throws GeneralSecurityException {
    Objects.requireNonNull(item, "item");
    byte[] headerBytes = binary(item, HEADER);
    byte[] footer = binary(item, FOOTER);
    DbeHeader header;
    try {
      header = DbeHeader.parse(headerBytes);
    } catch (DbeFormatException e) {
      throw new MalformedMessageException(e.getMessage());
    }
    if (header.encryptedDataKeys().size() > MAX_ENCRYPTED_DATA_KEYS) {
      throw new MalformedMessageException("aws_dbe_head lists " + header.encryptedDataKeys().size() + " encrypted "
          + "data keys; a read tries at most " + MAX_ENCRYPTED_DATA_KEYS + ", which bounds the KMS calls a forged "
          + "item can cause");
    }
    List<Field> signed = inScope(item);
    byte[] legend = header.legend();
    if (legend.length != signed.size()) {
      throw new AuthenticationFailedException(legend.length > signed.size()
          ? "Schema changed: something that was signed is now unsigned (the item has " + signed.size()
          + " signed attributes, its header " + legend.length + ")"
          : "Schema changed: something that was unsigned is now signed (the item has " + signed.size()
          + " signed attributes, its header " + legend.length + ")");
    }
    List<String> included = new ArrayList<>();
    for (int i = 0; i < legend.length; i++) {
      if (legend[i] == 'c') {
        included.add(signed.get(i).name());
      }
    }
    if (header.version() == 1 && !included.isEmpty()) {
      throw new MalformedMessageException("aws_dbe_head is of version 1 but its legend includes attributes in the "
          + "encryption context, which only version 2 does");
    }
    Map<String, String> context;
    try {
      context = DbeContext.of(schema, header.version(), item, included);
    } catch (DbeFormatException e) {
      throw new AuthenticationFailedException(e.getMessage());
    }
    for (Map.Entry<String, String> e : header.storedContext().entrySet()) {
      String mine = context.putIfAbsent(e.getKey(), e.getValue());
      if (mine != null && !mine.equals(e.getValue())) {
        throw new AuthenticationFailedException("The header's encryption context disagrees with the item on "
            + e.getKey());
      }
    }
    PublicKey verificationKey = header.suite().isSigned() ? verificationKey(header) : null;

    Verified verified = new Verified(header, signed, context, unwrapDataKey(unwrapWith, header, context));
    try {
      verified.keys = DbeKeys.derive(verified.unwrapped.dataKey(), header.messageId());
      if (!MessageDigest.isEqual(verified.keys.commitment(header.body()), header.commitment())) {
        throw new AuthenticationFailedException("The item's header commitment does not match: aws_dbe_head was "
            + "changed, or it belongs to another data key");
      }
      DbeFooter.CanonicalHash hash = new DbeFooter.CanonicalHash(headerBytes, DbeHeader.context(context));
      verified.hashFields(hash);
      List<String> signedNames = new ArrayList<>();
      signed.forEach(f -> signedNames.add(f.name()));
      DbeFooter.verify(footer, hash.finish(), header.encryptedDataKeys().size(), verified.unwrapped.signingKey(),
          verificationKey, signedNames);
      return verified;
    } catch (GeneralSecurityException | RuntimeException e) {
      verified.close();
      throw e;
    }
  }

  /** The data key of the first EDK the keyring unwraps, and the calls every attempt made. */
  private record Unwrapped(IntermediateKeyWrapping.Unwrapped key, int kmsCalls, int storeCalls) {}

  private static Unwrapped unwrapDataKey(Keyring keyring, DbeHeader header, Map<String, String> context) {
    List<Attempt> attempts = new ArrayList<>();
    int kmsCalls = 0;
    int storeCalls = 0;
    for (EncryptedDataKey edk : header.encryptedDataKeys()) {
      try {
        IntermediateKeyWrapping.Unwrapped unwrapped = IntermediateKeyWrapping.unwrap(keyring, edk, context);
        return new Unwrapped(unwrapped, kmsCalls + unwrapped.kmsCalls(), storeCalls + unwrapped.keyStoreCalls());
      } catch (NoKeyringCouldDecryptException e) {
        attempts.addAll(e.attempts());
        kmsCalls += e.kmsCalls();
        storeCalls += e.keyStoreCalls();
      } catch (AEADBadTagException e) {
        attempts.add(new Attempt(edk.providerId(), "the intermediate key does not open the data key: the encrypted "
            + "data key was changed, or the item's encryption context (table, keys, included attributes) differs"));
      } catch (GeneralSecurityException e) {
        attempts.add(new Attempt(edk.providerId(), e.getMessage()));
      }
    }
    throw new NoKeyringCouldDecryptException(attempts, null, kmsCalls, storeCalls);
  }

  /** The item without the format's attributes, its 'e' fields decrypted (after the footer verified them). */
  private static Map<String, AttributeValue> openFields(DbeKeys keys, Map<String, AttributeValue> item,
      List<Field> signed, byte[] legend, int encryptedCount) throws GeneralSecurityException {
    byte[] fieldKeys = keys.fieldKeys(encryptedCount);
    try {
      Map<String, AttributeValue> out = new LinkedHashMap<>();
      for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
        if (!e.getKey().startsWith(DbeSchema.RESERVED_PREFIX)) {
          out.put(e.getKey(), e.getValue());
        }
      }
      int ordinal = 0;
      for (int i = 0; i < legend.length; i++) {
        if (legend[i] == 'e') {
          Field field = signed.get(i);
          out.put(field.name(), open(fieldKeys, ordinal++, field));
        }
      }
      return out;
    } finally {
      Arrays.fill(fieldKeys, (byte) 0);
    }
  }

  private static AttributeValue open(byte[] fieldKeys, int ordinal, Field field) throws GeneralSecurityException {
    byte[] stored = field.value().b().asByteArrayUnsafe();
    Cipher cipher = JcaPerThread.aesGcm();
    cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(fieldKeys, 48 * ordinal, 32, "AES"),
        new GCMParameterSpec(128, fieldKeys, 48 * ordinal + 32, 12));
    cipher.updateAAD(field.path());
    byte[] value;
    try {
      value = cipher.doFinal(stored, 2, stored.length - 2);
    } catch (AEADBadTagException e) {
      throw new AuthenticationFailedException("Attribute " + field.name() + " does not decrypt: its value was "
          + "changed or moved from another attribute or item");
    }
    int typeId = (stored[0] & 0xFF) << 8 | stored[1] & 0xFF;
    try {
      return DbeAttributes.deserialize(typeId, value);
    } catch (DbeFormatException e) {
      throw new MalformedMessageException("Attribute " + field.name() + " decrypts to no valid value: "
          + e.getMessage());
    } finally {
      Arrays.fill(value, (byte) 0);
    }
  }

  private static PublicKey verificationKey(DbeHeader header) {
    String encoded = header.storedContext().get(DbeContext.PUBLIC_KEY);
    if (encoded == null) {
      throw new MalformedMessageException("Suite " + header.suite() + " signs items, but aws_dbe_head has no "
          + DbeContext.PUBLIC_KEY);
    }
    try {
      return SigningKeys.decompress(Base64.getDecoder().decode(encoded), AlgorithmSuite.Signature.ECDSA_P384);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new MalformedMessageException("aws_dbe_head's " + DbeContext.PUBLIC_KEY + " is not a P-384 point");
    }
  }

  private static byte[] binary(Map<String, AttributeValue> item, String name) {
    AttributeValue value = item.get(name);
    if (value == null || value.type() != AttributeValue.Type.B) {
      throw new MalformedMessageException("The item has no binary " + name + " attribute");
    }
    return value.b().asByteArray();
  }

  /**
   * The branch key id of a stored item's one data key, the key id of its multi-tenant beacons.
   *
   * @throws IllegalArgumentException with the AWS library's reason when the header has other than one data key,
   *     or one not from a hierarchical keyring
   */
  public static String beaconKeyId(Map<String, AttributeValue> item) {
    List<EncryptedDataKey> keys = DbeHeader.parse(binary(item, HEADER)).encryptedDataKeys();
    if (keys.size() != 1) {
      throw new IllegalArgumentException("Encrypt header has more than one Encrypted Data Key: multi-tenant beacons "
          + "take their key from the item's one data key");
    }
    if (!keys.get(0).providerId().equals(HierarchicalKeyring.PROVIDER_ID)) {
      throw new IllegalArgumentException("In multi-tenant mode, keyProviderId must be aws-kms-hierarchy, not "
          + keys.get(0).providerId() + ": encrypt with a hierarchical keyring");
    }
    return new String(keys.get(0).providerInfo(), StandardCharsets.UTF_8);
  }

  /** The multi-tenant beacon key id of a stored item, or null when it has none (see {@link #beaconKeyId}). */
  public static String beaconKeyIdOrNull(Map<String, AttributeValue> item) {
    try {
      return isEncrypted(item) ? beaconKeyId(item) : null;
    } catch (IllegalArgumentException | MalformedMessageException e) {
      return null;
    }
  }

  /** Whether {@code item} carries this format's header and footer. */
  public static boolean isEncrypted(Map<String, AttributeValue> item) {
    return item.containsKey(HEADER) || item.containsKey(FOOTER);
  }
}
