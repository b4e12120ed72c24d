package dev.envelope.core.keyring;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.EnvelopeException;
import dev.envelope.core.MalformedMessageException;
import dev.envelope.core.NoKeyringCouldDecryptException.Attempt;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.keystore.BranchKeyMaterials;
import dev.envelope.core.keystore.BranchKeyStore;
import dev.envelope.core.keystore.BranchKeyVersions;
import dev.envelope.core.materials.DataKey;
import dev.envelope.core.materials.DecryptionMaterials;
import dev.envelope.core.materials.EncryptedDataKey;
import dev.envelope.core.materials.EncryptionMaterials;
import dev.envelope.core.spi.CounterKdf;
import dev.envelope.core.spi.EncryptionContextCodec;
import dev.envelope.core.spi.JcaPerThread;
import dev.envelope.core.spi.SecureRandoms;
import dev.envelope.core.spi.Utf8;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AWS KMS Hierarchical keyring, byte for byte as the AWS Material Providers Library 1.11.0 writes it: data keys
 * are wrapped under a <em>branch key</em> kept in a {@link BranchKeyStore}, so KMS is called once per branch key
 * version per cache period instead of once per message, and each tenant can have its own branch key.
 * <pre>
 * providerId   = "aws-kms-hierarchy"
 * providerInfo = branch key id (UTF-8)
 * ciphertext   = salt (16) || IV (12) || branch key version (16, UUID bytes) || AES-256-GCM(data key) || tag (16)
 * wrapping key = SP 800-108 counter KDF, HMAC-SHA256 (branch key, label "aws-kms-hierarchy", context salt), 32 bytes
 * AAD          = "aws-kms-hierarchy" || branch key id || version (16) || serialized encryption context
 * </pre>
 * The branch key comes from a fixed id or from a {@link BranchKeyIdSupplier} reading the encryption context. Branch
 * key materials are cached in a {@link BranchKeyCache} (its own, or one shared by several keyrings) for
 * {@code ttl}; the cache identifiers follow the AWS library (partition id, logical key store name, branch key id,
 * version), so keyrings share entries exactly when they share all three. Audit events name the wrapping key as
 * {@code <branch key id>@<version>} and count the KMS and key store calls each operation made.
 *
 * <p>Immutable and thread-safe if the store and supplier are. Concurrent misses on one branch key may each read the
 * store (the AWS library's storm tracking is not reproduced).
 */
public final class HierarchicalKeyring implements Keyring {
  /** The provider id of the EDKs this keyring writes. */
  public static final String PROVIDER_ID = "aws-kms-hierarchy";

  private static final byte[] LABEL = PROVIDER_ID.getBytes(StandardCharsets.UTF_8);
  private static final int SALT_LENGTH = 16;
  private static final int IV_LENGTH = 12;
  private static final int VERSION_LENGTH = 16;
  private static final int TAG_LENGTH = 16;
  private static final int HEADER_LENGTH = SALT_LENGTH + IV_LENGTH + VERSION_LENGTH;
  private static final int MAX_REMEMBERED_CACHE_IDS = 4096;

  private final BranchKeyStore keyStore;
  private final String branchKeyId;
  private final BranchKeyIdSupplier supplier;
  private final Duration ttl;
  private final BranchKeyCache cache;
  private final byte[] partitionId;
  private final Clock clock;
  private final byte[] logicalName;
  /** The active key's cache id of the fixed branch key id, computed once. */
  private final String fixedActiveCacheId;
  /**
   * Cache ids already hashed: a SHA-384 per message was a twentieth of a warm decrypt. Emptied when it reaches
   * {@value #MAX_REMEMBERED_CACHE_IDS} entries, which bounds its memory whatever ids and versions messages carry.
   */
  private final Map<CacheIdInput, String> cacheIds = new ConcurrentHashMap<>();

  private HierarchicalKeyring(Builder b) {
    this.keyStore = b.keyStore;
    this.branchKeyId = b.branchKeyId;
    this.supplier = b.supplier;
    this.ttl = b.ttl;
    this.cache = b.cache != null ? b.cache : BranchKeyCache.create(BranchKeyCache.DEFAULT_CAPACITY);
    this.partitionId = b.partitionId != null ? b.partitionId.getBytes(StandardCharsets.UTF_8)
        : SecureRandoms.bytes(16);
    this.clock = b.clock;
    this.logicalName = keyStore.logicalKeyStoreName().getBytes(StandardCharsets.UTF_8);
    this.fixedActiveCacheId = branchKeyId == null ? null : cacheId(1, branchKeyId, null);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public EncryptionMaterials onEncrypt(EncryptionMaterials materials) {
    Objects.requireNonNull(materials, "materials");
    String id = branchKeyIdFor(materials.encryptionContext());
    String activeCacheId = fixedActiveCacheId != null ? fixedActiveCacheId : rememberedCacheId(1, id, null);
    BranchKeyMaterials branchKey = cached(activeCacheId, () -> keyStore.activeBranchKey(id));
    EncryptionMaterials.Builder out = materials.toBuilder().addKmsCalls(branchKey.kmsCalls())
        .addKeyStoreCalls(branchKey.keyStoreCalls());
    DataKey dataKey = materials.dataKey().orElse(null);
    if (dataKey == null) {
      dataKey = DataKey.wrap(SecureRandoms.bytes(materials.suite().dataKeyLength()));
      out.dataKey(dataKey);
    }
    byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
    byte[] version = BranchKeyVersions.toBytes(branchKey.version());
    byte[] random = SecureRandoms.bytes(SALT_LENGTH + IV_LENGTH); // one draw, as the AWS library makes it
    byte[] key = branchKey.key();
    byte[] wrappingKey = null;
    byte[] plaintextKey = dataKey.toByteArray();
    try {
      wrappingKey = CounterKdf.derive("HmacSHA256", key, LABEL, Arrays.copyOf(random, SALT_LENGTH), 32);
      Cipher cipher = JcaPerThread.aesGcm();
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(wrappingKey, "AES"),
          new GCMParameterSpec(TAG_LENGTH * 8, random, SALT_LENGTH, IV_LENGTH));
      cipher.updateAAD(aad(idBytes, version, materials.encryptionContext()));
      byte[] wrapped = cipher.doFinal(plaintextKey);
      ByteArrayOutputStream ciphertext = new ByteArrayOutputStream(HEADER_LENGTH + wrapped.length);
      ciphertext.writeBytes(random);
      ciphertext.writeBytes(version);
      ciphertext.writeBytes(wrapped);
      return out.addEncryptedDataKey(EncryptedDataKey.of(PROVIDER_ID, idBytes, ciphertext.toByteArray()),
          wrappingKeyId(id, branchKey.version())).build();
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException("Hierarchical keyring cannot wrap the data key under branch key " + id
          + " version " + branchKey.version() + ": " + e.getMessage(), e);
    } finally {
      Arrays.fill(key, (byte) 0);
      Arrays.fill(plaintextKey, (byte) 0);
      if (wrappingKey != null) {
        Arrays.fill(wrappingKey, (byte) 0);
      }
      branchKey.destroy();
    }
  }

  @Override
  public DecryptionMaterials onDecrypt(DecryptionMaterials materials, List<EncryptedDataKey> encryptedDataKeys) {
    Objects.requireNonNull(materials, "materials");
    if (materials.dataKey().isPresent()) {
      return materials;
    }
    String id = branchKeyIdFor(materials.encryptionContext());
    byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
    AlgorithmSuite suite = materials.suite();
    List<Attempt> attempts = new ArrayList<>();
    Set<String> others = new LinkedHashSet<>();
    int kmsCalls = 0;
    int storeCalls = 0;
    for (EncryptedDataKey edk : encryptedDataKeys) {
      if (!edk.providerId().equals(PROVIDER_ID)) {
        others.add(edk.providerId());
        continue;
      }
      String edkBranchKeyId;
      try {
        edkBranchKeyId = Utf8.decode(edk.providerInfo(), "Hierarchical keyring provider info");
      } catch (MalformedMessageException e) {
        edkBranchKeyId = null;
      }
      if (!id.equals(edkBranchKeyId)) {
        others.add(PROVIDER_ID + " (branch key " + (edkBranchKeyId == null ? "id not UTF-8" : edkBranchKeyId)
            + ")");
        continue;
      }
      byte[] ciphertext = edk.ciphertext();
      int expected = HEADER_LENGTH + suite.dataKeyLength() + TAG_LENGTH;
      if (ciphertext.length != expected) {
        attempts.add(new Attempt(id, "the wrapped data key is " + ciphertext.length + " bytes; " + suite
            + " wraps " + expected));
        continue;
      }
      String version = BranchKeyVersions.fromBytes(ciphertext, SALT_LENGTH + IV_LENGTH);
      BranchKeyMaterials branchKey;
      try {
        branchKey = cached(rememberedCacheId(2, id, version), () -> keyStore.branchKeyVersion(id, version));
      } catch (EnvelopeException e) {
        attempts.add(new Attempt(wrappingKeyId(id, version), e.getMessage()));
        continue;
      }
      kmsCalls += branchKey.kmsCalls();
      storeCalls += branchKey.keyStoreCalls();
      byte[] key = branchKey.key();
      byte[] wrappingKey = null;
      try {
        wrappingKey = CounterKdf.derive("HmacSHA256", key, LABEL, Arrays.copyOf(ciphertext, SALT_LENGTH), 32);
        Cipher cipher = JcaPerThread.aesGcm();
        cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(wrappingKey, "AES"),
            new GCMParameterSpec(TAG_LENGTH * 8, ciphertext, SALT_LENGTH, IV_LENGTH));
        cipher.updateAAD(aad(idBytes, BranchKeyVersions.toBytes(branchKey.version()),
            materials.encryptionContext()));
        byte[] plaintextKey = cipher.doFinal(ciphertext, HEADER_LENGTH, ciphertext.length - HEADER_LENGTH);
        return materials.toBuilder().dataKey(DataKey.wrap(plaintextKey), wrappingKeyId(id, version))
            .addKmsCalls(kmsCalls).addKeyStoreCalls(storeCalls).build();
      } catch (AEADBadTagException e) {
        attempts.add(new Attempt(wrappingKeyId(id, version), "AES-GCM unwrap failed: the wrapped data key was "
            + "changed, or the message's encryption context differs from the one it was wrapped with"));
      } catch (GeneralSecurityException e) {
        attempts.add(new Attempt(wrappingKeyId(id, version), "AES-GCM unwrap failed: " + e.getMessage()));
      } finally {
        Arrays.fill(key, (byte) 0);
        if (wrappingKey != null) {
          Arrays.fill(wrappingKey, (byte) 0);
        }
        branchKey.destroy();
      }
    }
    if (attempts.isEmpty()) {
      attempts.add(new Attempt(id, "the message has no data key wrapped under branch key " + id + " (it has "
          + others + ")"));
    }
    throw new NoKeyringCouldDecryptException(attempts, null, kmsCalls, storeCalls);
  }

  private String branchKeyIdFor(Map<String, String> context) {
    if (branchKeyId != null) {
      return branchKeyId;
    }
    String id;
    try {
      id = supplier.branchKeyId(context);
    } catch (RuntimeException e) {
      throw new EnvelopeException("The branch key id supplier chose no branch key for an encryption context with "
          + "keys " + new TreeSet<>(context.keySet()) + ": " + e.getMessage(), e);
    }
    if (id == null || id.isEmpty()) {
      throw new EnvelopeException("The branch key id supplier returned no branch key id for an encryption context "
          + "with keys " + new TreeSet<>(context.keySet()) + "; it must return the id of a branch key in key store "
          + keyStore.logicalKeyStoreName());
    }
    return id;
  }

  private interface Read {
    BranchKeyMaterials get();
  }

  /** The materials for {@code cacheId}: a copy from the cache if stored within the TTL, else read and stored. */
  private BranchKeyMaterials cached(String cacheId, Read read) {
    Instant now = clock.instant();
    BranchKeyMaterials hit = cache.get(cacheId, now.minus(ttl));
    if (hit != null) {
      return hit;
    }
    BranchKeyMaterials fresh = read.get();
    cache.put(cacheId, fresh, now);
    return fresh;
  }

  private record CacheIdInput(int scope, String id, String version) {}

  private String rememberedCacheId(int scope, String id, String version) {
    CacheIdInput input = new CacheIdInput(scope, id, version);
    String known = cacheIds.get(input);
    if (known != null) {
      return known;
    }
    if (cacheIds.size() >= MAX_REMEMBERED_CACHE_IDS) {
      cacheIds.clear();
    }
    String computed = cacheId(scope, id, version);
    cacheIds.put(input, computed);
    return computed;
  }

  /**
   * The AWS library's cache identifier: SHA-384 over {@code 0x02 0x00 scope 0x00 partitionId 0x00
   * logicalKeyStoreName 0x00 branchKeyId [0x00 version]}, scope 1 for the active key, 2 for a version.
   */
  private String cacheId(int scope, String id, String version) {
    try {
      MessageDigest digest = JcaPerThread.digest("SHA-384");
      digest.update(new byte[] {2, 0, (byte) scope, 0});
      digest.update(partitionId);
      digest.update((byte) 0);
      digest.update(logicalName);
      digest.update((byte) 0);
      digest.update(id.getBytes(StandardCharsets.UTF_8));
      if (version != null) {
        digest.update((byte) 0);
        digest.update(version.getBytes(StandardCharsets.US_ASCII));
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-384 is part of every JDK", e);
    }
  }

  private static byte[] aad(byte[] idBytes, byte[] version, Map<String, String> context) {
    byte[] ec = EncryptionContextCodec.serialize(context);
    ByteArrayOutputStream aad = new ByteArrayOutputStream(LABEL.length + idBytes.length + VERSION_LENGTH + ec.length);
    aad.writeBytes(LABEL);
    aad.writeBytes(idBytes);
    aad.writeBytes(version);
    aad.writeBytes(ec);
    return aad.toByteArray();
  }

  private static String wrappingKeyId(String id, String version) {
    return id + "@" + version;
  }

  @Override
  public String toString() {
    return "HierarchicalKeyring[" + (branchKeyId != null ? "branch key " + branchKeyId : "branch key supplier")
        + ", key store " + keyStore.logicalKeyStoreName() + ", ttl " + ttl + "]";
  }

  /** Builder: the key store, the TTL, and a branch key id or a supplier are required. */
  public static final class Builder {
    private BranchKeyStore keyStore;
    private String branchKeyId;
    private BranchKeyIdSupplier supplier;
    private Duration ttl;
    private BranchKeyCache cache;
    private String partitionId;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** Where branch keys are read from. Required. */
    public Builder keyStore(BranchKeyStore keyStore) {
      this.keyStore = Objects.requireNonNull(keyStore, "keyStore");
      return this;
    }

    /** The one branch key of this keyring. This or {@link #branchKeyIdSupplier} is required. */
    public Builder branchKeyId(String branchKeyId) {
      this.branchKeyId = branchKeyId;
      return this;
    }

    /** Chooses the branch key from each message's encryption context (one per tenant). */
    public Builder branchKeyIdSupplier(BranchKeyIdSupplier supplier) {
      this.supplier = supplier;
      return this;
    }

    /** How long branch key materials are used from the cache before the store is read again. Required. */
    public Builder ttl(Duration ttl) {
      this.ttl = Objects.requireNonNull(ttl, "ttl");
      return this;
    }

    /** A cache to use, possibly shared with other keyrings; by default a cache of its own of 1,000 entries. */
    public Builder cache(BranchKeyCache cache) {
      this.cache = Objects.requireNonNull(cache, "cache");
      return this;
    }

    /**
     * The partition of a shared cache this keyring uses: keyrings with the same partition id (and key store and
     * branch key) share entries. By default 16 random bytes, so that no other keyring shares them.
     */
    public Builder partitionId(String partitionId) {
      this.partitionId = Objects.requireNonNull(partitionId, "partitionId");
      return this;
    }

    /** The clock the TTL is measured on (tests move it). The system UTC clock by default. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public HierarchicalKeyring build() {
      Objects.requireNonNull(keyStore, "keyStore");
      if ((branchKeyId == null) == (supplier == null)) {
        throw new IllegalArgumentException("Give exactly one of branchKeyId and branchKeyIdSupplier");
      }
      if (branchKeyId != null && branchKeyId.isEmpty()) {
        throw new IllegalArgumentException("branchKeyId must not be empty");
      }
      if (ttl == null || ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("ttl must be positive: " + ttl);
      }
      return new HierarchicalKeyring(this);
    }
  }
}
