package dev.envelope.core.cache;

import dev.envelope.core.keyring.Keyring;
import dev.envelope.core.materials.CryptoMaterialsManager;
import dev.envelope.core.materials.DataKey;
import dev.envelope.core.materials.DecryptionMaterials;
import dev.envelope.core.materials.DecryptionRequest;
import dev.envelope.core.materials.DefaultMaterialsManager;
import dev.envelope.core.materials.EncryptedDataKey;
import dev.envelope.core.materials.EncryptionMaterials;
import dev.envelope.core.materials.EncryptionRequest;
import dev.envelope.core.spi.EncryptionContextCodec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reuses materials so that a busy service calls its keyring (and KMS) once per cache entry instead of once per
 * message, within the AWS Encryption SDK's security limits: an entry is used for at most {@code maxAge}, at most
 * {@code maxMessagesPerKey} messages and at most {@code maxBytesPerKey} plaintext bytes. Works for any keyring or
 * materials manager, on encrypt and on decrypt (the AWS Encryption SDK 3.x has no keyring caching).
 *
 * <p>What is never cached: encrypt requests of unknown plaintext length (a stream without a declared length), a
 * single request over the byte limit, and suites without a KDF (reusing their data key would reuse AES-GCM
 * key/IV pairs). Committing suites derive a fresh key per message from the message id, so reuse is safe.
 *
 * <p>Every hit hands out an independent copy of the data key (the encryptor zeroes its copy); evicted entries are
 * zeroed. Thread-safe; entries are evicted least recently used first once {@code capacity} is reached.
 */
public final class CachingMaterialsManager implements CryptoMaterialsManager {
  private final CryptoMaterialsManager delegate;
  private final Duration maxAge;
  private final long maxMessagesPerKey;
  private final long maxBytesPerKey;
  private final int capacity;
  private final Clock clock;
  private final byte[] partition;

  private final LinkedHashMap<String, Entry> entries;
  private final AtomicLong encryptHits = new AtomicLong();
  private final AtomicLong encryptMisses = new AtomicLong();
  private final AtomicLong decryptHits = new AtomicLong();
  private final AtomicLong decryptMisses = new AtomicLong();
  private final AtomicLong bypasses = new AtomicLong();
  private final AtomicLong kmsCallsSaved = new AtomicLong();

  private CachingMaterialsManager(Builder b) {
    this.delegate = b.delegate;
    this.maxAge = b.maxAge;
    this.maxMessagesPerKey = b.maxMessagesPerKey;
    this.maxBytesPerKey = b.maxBytesPerKey;
    this.capacity = b.capacity;
    this.clock = b.clock;
    this.partition = b.partition.getBytes(StandardCharsets.UTF_8);
    this.entries = new LinkedHashMap<>(16, 0.75f, true);
  }

  public static Builder builder() {
    return new Builder();
  }

  public CacheStats stats() {
    return new CacheStats(encryptHits.get(), encryptMisses.get(), decryptHits.get(), decryptMisses.get(),
        bypasses.get(), kmsCallsSaved.get());
  }

  @Override
  public EncryptionMaterials getEncryptionMaterials(EncryptionRequest request) {
    if (request.plaintextLength().isEmpty()
        || request.plaintextLength().getAsLong() > maxBytesPerKey
        || request.suite().map(s -> !s.isSafeToCache()).orElse(false)) {
      bypasses.incrementAndGet();
      return delegate.getEncryptionMaterials(request);
    }
    long bytes = request.plaintextLength().getAsLong();
    String id = encryptId(request);
    Entry entry = lookup(id);
    EncryptionMaterials hit = entry == null ? null : entry.checkoutEncryption(bytes, maxMessagesPerKey,
        maxBytesPerKey);
    if (hit != null) {
      encryptHits.incrementAndGet();
      kmsCallsSaved.addAndGet(entry.kmsCalls);
      return hit;
    }
    if (entry != null) {
      evict(id, entry);
    }
    encryptMisses.incrementAndGet();
    EncryptionMaterials fresh = delegate.getEncryptionMaterials(request);
    if (fresh.suite().isSafeToCache() && fresh.dataKey().isPresent()) {
      Entry created = new Entry(clock.instant(), fresh.toBuilder()
          .dataKey(fresh.dataKey().get().duplicate()).build(), null, fresh.kmsCalls());
      created.checkoutEncryption(bytes, maxMessagesPerKey, maxBytesPerKey); // counts this first message
      store(id, created);
    }
    return fresh;
  }

  @Override
  public DecryptionMaterials decryptMaterials(DecryptionRequest request) {
    if (!request.suite().isSafeToCache()) {
      bypasses.incrementAndGet();
      return delegate.decryptMaterials(request);
    }
    String id = decryptId(request);
    Entry entry = lookup(id);
    DecryptionMaterials hit = entry == null ? null : entry.checkoutDecryption();
    if (hit != null) {
      decryptHits.incrementAndGet();
      kmsCallsSaved.addAndGet(entry.kmsCalls);
      return hit;
    }
    decryptMisses.incrementAndGet();
    DecryptionMaterials fresh = delegate.decryptMaterials(request);
    if (fresh.dataKey().isPresent() && !fresh.wrappingKeyIds().isEmpty()) {
      store(id, new Entry(clock.instant(), null, fresh.toBuilder()
          .dataKey(fresh.dataKey().get().duplicate(), fresh.wrappingKeyIds().get(0)).build(), fresh.kmsCalls()));
    }
    return fresh;
  }

  /** The live entry for {@code id}, or null; an expired entry is evicted here. */
  private Entry lookup(String id) {
    synchronized (entries) {
      Entry entry = entries.get(id);
      if (entry != null && clock.instant().isAfter(entry.created.plus(maxAge))) {
        entries.remove(id);
        entry.destroy();
        return null;
      }
      return entry;
    }
  }

  private void evict(String id, Entry entry) {
    synchronized (entries) {
      if (entries.get(id) == entry) {
        entries.remove(id);
      }
    }
    entry.destroy();
  }

  private void store(String id, Entry entry) {
    synchronized (entries) {
      Entry previous = entries.put(id, entry);
      if (previous != null) {
        previous.destroy();
      }
      while (entries.size() > capacity) {
        var eldest = entries.entrySet().iterator().next();
        entries.remove(eldest.getKey());
        eldest.getValue().destroy();
      }
    }
  }

  /** Number of live entries (expired ones are dropped lazily). */
  public int size() {
    synchronized (entries) {
      return entries.size();
    }
  }

  private String encryptId(EncryptionRequest request) {
    MessageDigest d = sha512();
    d.update(partition);
    d.update((byte) 0x01);
    d.update(request.suite().map(s -> s.name()).orElse("default").getBytes(StandardCharsets.UTF_8));
    d.update((byte) 0);
    d.update(request.commitmentPolicy().name().getBytes(StandardCharsets.UTF_8));
    d.update((byte) 0);
    d.update(sha512().digest(EncryptionContextCodec.serialize(request.encryptionContext())));
    d.update(String.join("\u0000", new TreeSet<>(request.requiredContextKeys())).getBytes(StandardCharsets.UTF_8));
    return Base64.getEncoder().encodeToString(d.digest());
  }

  private String decryptId(DecryptionRequest request) {
    MessageDigest d = sha512();
    d.update(partition);
    d.update((byte) 0x02);
    d.update(request.suite().name().getBytes(StandardCharsets.UTF_8));
    d.update((byte) 0);
    List<byte[]> edkHashes = new ArrayList<>();
    for (EncryptedDataKey edk : request.encryptedDataKeys()) {
      MessageDigest e = sha512();
      e.update(edk.providerId().getBytes(StandardCharsets.UTF_8));
      e.update((byte) 0);
      e.update(edk.providerInfo());
      e.update((byte) 0);
      e.update(edk.ciphertext());
      edkHashes.add(e.digest());
    }
    edkHashes.sort(Arrays::compareUnsigned);
    edkHashes.forEach(d::update);
    d.update(new byte[64]);
    d.update(sha512().digest(EncryptionContextCodec.serialize(request.storedContext())));
    d.update(sha512().digest(EncryptionContextCodec.serialize(request.reproducedContext())));
    return Base64.getEncoder().encodeToString(d.digest());
  }

  private static MessageDigest sha512() {
    try {
      return MessageDigest.getInstance("SHA-512");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-512 is missing from this JDK", e);
    }
  }

  /**
   * One cached set of materials with its usage. Checkout (count, then copy the data key) and destroy (zero it) are
   * mutually exclusive on the entry, so a thread can never copy a key another thread is zeroing; a retired entry
   * hands out nothing.
   */
  private static final class Entry {
    final Instant created;
    final EncryptionMaterials encryption;
    final DecryptionMaterials decryption;
    final int kmsCalls;
    private long messages;
    private long bytes;
    private boolean retired;

    Entry(Instant created, EncryptionMaterials encryption, DecryptionMaterials decryption, int kmsCalls) {
      this.created = created;
      this.encryption = encryption;
      this.decryption = decryption;
      this.kmsCalls = kmsCalls;
    }

    /**
     * Counts one more message of {@code n} bytes and returns materials with a private copy of the data key; null
     * if the entry is retired or the message would pass a limit (the entry is then spent).
     */
    synchronized EncryptionMaterials checkoutEncryption(long n, long maxMessages, long maxBytes) {
      if (retired || messages + 1 > maxMessages || bytes + n > maxBytes) {
        return null;
      }
      messages++;
      bytes += n;
      return encryption.toBuilder().dataKey(encryption.dataKey().orElseThrow().duplicate())
          .kmsCalls(0).cacheHit(true).build();
    }

    /** Materials with a private copy of the data key, or null if the entry is retired. */
    synchronized DecryptionMaterials checkoutDecryption() {
      if (retired) {
        return null;
      }
      return decryption.toBuilder().dataKey(decryption.dataKey().orElseThrow().duplicate(),
          decryption.wrappingKeyIds().get(0)).kmsCalls(0).cacheHit(true).build();
    }

    synchronized void destroy() {
      retired = true;
      if (encryption != null) {
        encryption.dataKey().ifPresent(DataKey::destroy);
      }
      if (decryption != null) {
        decryption.dataKey().ifPresent(DataKey::destroy);
      }
    }
  }

  /** Builder; {@code maxAge} and a delegate are required. */
  public static final class Builder {
    private CryptoMaterialsManager delegate;
    private Duration maxAge;
    private long maxMessagesPerKey = 1L << 32;
    private long maxBytesPerKey = Long.MAX_VALUE;
    private int capacity = 1000;
    private Clock clock = Clock.systemUTC();
    private String partition = UUID.randomUUID().toString();

    private Builder() {}

    /** The manager whose materials are cached. This or {@link #keyring} is required. */
    public Builder materialsManager(CryptoMaterialsManager delegate) {
      this.delegate = Objects.requireNonNull(delegate, "delegate");
      return this;
    }

    /**
     * Caches the materials of {@code keyring} through a {@link DefaultMaterialsManager}. This or {@link
     * #materialsManager} is required.
     */
    public Builder keyring(Keyring keyring) {
      return materialsManager(DefaultMaterialsManager.create(keyring));
    }

    /** How long an entry may be used after it was created. Required. */
    public Builder maxAge(Duration maxAge) {
      this.maxAge = maxAge;
      return this;
    }

    /** Messages one data key may encrypt; at most 2^32, the default. */
    public Builder maxMessagesPerKey(long maxMessagesPerKey) {
      this.maxMessagesPerKey = maxMessagesPerKey;
      return this;
    }

    /** Plaintext bytes one data key may encrypt; default 2^63 - 1. */
    public Builder maxBytesPerKey(long maxBytesPerKey) {
      this.maxBytesPerKey = maxBytesPerKey;
      return this;
    }

    /** Entries kept at most (LRU eviction); default 1000. */
    public Builder capacity(int capacity) {
      this.capacity = capacity;
      return this;
    }

    /** The clock for {@code maxAge}; inject one in tests. The system UTC clock by default. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Managers with the same partition name would share entries if they shared a cache; default random. */
    public Builder partition(String partition) {
      this.partition = Objects.requireNonNull(partition, "partition");
      return this;
    }

    public CachingMaterialsManager build() {
      Objects.requireNonNull(delegate, "materialsManager or keyring is required");
      Objects.requireNonNull(maxAge, "maxAge is required");
      if (maxAge.isNegative() || maxAge.isZero()) {
        throw new IllegalArgumentException("maxAge must be positive: " + maxAge);
      }
      if (maxMessagesPerKey < 1 || maxMessagesPerKey > (1L << 32)) {
        throw new IllegalArgumentException("maxMessagesPerKey must be 1..2^32: " + maxMessagesPerKey);
      }
      if (maxBytesPerKey < 1) {
        throw new IllegalArgumentException("maxBytesPerKey must be positive: " + maxBytesPerKey);
      }
      if (capacity < 1) {
        throw new IllegalArgumentException("capacity must be positive: " + capacity);
      }
      return new CachingMaterialsManager(this);
    }
  }
}
