package dev.envelope.dynamodb.beacon;

import dev.envelope.dynamodb.CryptoAction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A table's searchable encryption: where its beacon keys come from and its standard and compound beacons and
 * virtual fields. Single-tenant ({@link #of}): one beacon key, for example {@code () -> store.beaconKey(branchKeyId)
 * .key()} with a {@code DynamoDbBranchKeyStore}, fetched once, on the first item that needs it (beacon keys do not
 * rotate with {@code versionKey}). Multi-tenant ({@link #multiTenant}): one beacon key per branch key, as the AWS
 * library's {@code MultiKeyStore}; an item's beacons use the key of the branch key that encrypted it, and a query
 * names its tenant's key id. Thread-safe.
 */
public final class BeaconConfig {
  /** How many tenants' beacon keys are kept, as the AWS library's multi-tenant default cache. */
  static final int TENANT_KEYS_KEPT = 1000;
  private final Function<String, byte[]> beaconKeys;
  private final String keyFieldName;
  private final List<StandardBeacon> standardBeacons;
  private final List<CompoundBeacon> compoundBeacons;
  private final List<VirtualField> virtualFields;
  private final Beacons keyless;
  private volatile Beacons beacons;
  private final Map<String, Beacons> tenants = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Beacons> eldest) {
      return size() > TENANT_KEYS_KEPT;
    }
  };

  private BeaconConfig(Function<String, byte[]> beaconKeys, String keyFieldName,
      List<StandardBeacon> standardBeacons, List<CompoundBeacon> compoundBeacons, List<VirtualField> virtualFields) {
    this.beaconKeys = Objects.requireNonNull(beaconKeys, "beaconKeys");
    this.keyFieldName = keyFieldName;
    this.standardBeacons = List.copyOf(standardBeacons);
    this.compoundBeacons = List.copyOf(compoundBeacons);
    this.virtualFields = List.copyOf(virtualFields);
    if (this.standardBeacons.isEmpty()) {
      throw new IllegalArgumentException("Searchable encryption needs at least one standard beacon, as in the AWS "
          + "library");
    }
    this.keyless = Beacons.keyless(this.standardBeacons, this.compoundBeacons, this.virtualFields);
    if (keyFieldName != null && (standard(keyFieldName).isPresent() || compound(keyFieldName).isPresent()
        || virtualField(keyFieldName).isPresent())) {
      throw new IllegalArgumentException("A beacon key field name of " + keyFieldName + " was configured, but "
          + "there's also a beacon or virtual field of that name.");
    }
  }

  /** Single-tenant: every item's beacons use the one key {@code beaconKey} gives. */
  public static BeaconConfig of(Supplier<byte[]> beaconKey, List<StandardBeacon> standardBeacons,
      List<CompoundBeacon> compoundBeacons) {
    Objects.requireNonNull(beaconKey, "beaconKey");
    return new BeaconConfig(id -> beaconKey.get(), null, standardBeacons, compoundBeacons, List.of());
  }

  /**
   * Multi-tenant: an item's beacons use the beacon key of the branch key that encrypted it (the item must have one
   * data key, from a hierarchical keyring); a search must compare {@code keyFieldName} (a SIGN_ONLY attribute, or
   * a signed part of a compound beacon) with exactly one branch key id, and finds only that tenant's items.
   *
   * @param beaconKeys the beacon key of a branch key id, for example {@code id -> store.beaconKey(id).key()}
   */
  public static BeaconConfig multiTenant(String keyFieldName, Function<String, byte[]> beaconKeys,
      List<StandardBeacon> standardBeacons, List<CompoundBeacon> compoundBeacons) {
    Objects.requireNonNull(keyFieldName, "keyFieldName");
    return new BeaconConfig(beaconKeys, keyFieldName, standardBeacons, compoundBeacons, List.of());
  }

  /** The attribute a multi-tenant search names its branch key id with; empty for single-tenant. */
  public Optional<String> keyFieldName() {
    return Optional.ofNullable(keyFieldName);
  }

  /** This configuration with {@code fields}, which standard beacons may name as their location. */
  public BeaconConfig withVirtualFields(List<VirtualField> fields) {
    return new BeaconConfig(beaconKeys, keyFieldName, standardBeacons, compoundBeacons, fields);
  }

  public List<VirtualField> virtualFields() {
    return virtualFields;
  }

  public List<StandardBeacon> standardBeacons() {
    return standardBeacons;
  }

  public List<CompoundBeacon> compoundBeacons() {
    return compoundBeacons;
  }

  /** The standard beacon named {@code name}, if there is one. */
  public Optional<StandardBeacon> standard(String name) {
    return standardBeacons.stream().filter(b -> b.name().equals(name)).findFirst();
  }

  /** The compound beacon named {@code name}, if there is one. */
  public Optional<CompoundBeacon> compound(String name) {
    return compoundBeacons.stream().filter(b -> b.name().equals(name)).findFirst();
  }

  /** The names of the compound beacons made of signed parts only: attributes of their own, signed with the item. */
  public List<String> signedBeaconNames() {
    List<String> names = new ArrayList<>();
    for (CompoundBeacon c : compoundBeacons) {
      if (c.parts().stream().noneMatch(CompoundBeacon.Part::encrypted)) {
        names.add(c.name());
      }
    }
    return names;
  }

  /**
   * Checks this configuration against a table's actions as the AWS library does (standard beacons hash
   * ENCRYPT_AND_SIGN attributes and are not named after unencrypted ones; signed parts are SIGN_ONLY attributes;
   * signed beacons are not configured or unsigned), and returns the SIGN_ONLY actions of the signed compound
   * beacons, which are attributes of their own.
   *
   * @param unsignedPrefix null for none
   * @throws IllegalArgumentException naming the table and the rule
   */
  public Map<String, CryptoAction> signedBeaconActions(String table, Map<String, CryptoAction> actions,
      String unsignedPrefix) {
    checkVirtualFields(table, actions);
    if (keyFieldName != null && actions.get(keyFieldName) == CryptoAction.ENCRYPT_AND_SIGN) {
      throw new IllegalArgumentException("Table " + table + ": beacon key field name " + keyFieldName + " is "
          + "configured as ENCRYPT_AND_SIGN which is not allowed: a search names the tenant in the clear");
    }
    Map<String, String> beaconAtLocation = new HashMap<>();
    for (StandardBeacon b : standardBeacons) {
      VirtualField field = virtualField(b.location()).orElse(null);
      boolean encrypted = field == null ? actions.get(TerminalLocation.parse(b.location()).attribute())
          == CryptoAction.ENCRYPT_AND_SIGN : field.parts().stream().anyMatch(p -> actions.get(p.location()
          .attribute()) == CryptoAction.ENCRYPT_AND_SIGN);
      if (!encrypted) {
        throw new IllegalArgumentException("Table " + table + ": standard beacon " + b.name() + " hashes "
            + b.location() + ", which must be ENCRYPT_AND_SIGN" + (field == null ? "" : " in at least one part")
            + " (a beacon of a plaintext value would only leak)");
      }
      String other = beaconAtLocation.put(TerminalLocation.parse(b.location()).toString(), b.name());
      if (other != null) {
        throw new IllegalArgumentException("Table " + table + ": beacon " + b.name() + " is defined on location "
            + b.location() + ", but beacon " + other + " is already defined on that location");
      }
      for (VirtualField f : virtualFields) {
        if (f.parts().size() == 1 && f.parts().get(0).location().toString().equals(b.location())) {
          throw new IllegalArgumentException("Table " + table + ": beacon " + b.name() + " is defined on location "
              + b.location() + ", but virtual field " + f.name() + " is already defined on that single location");
        }
      }
      CryptoAction named = actions.get(b.name());
      if (named != null && named != CryptoAction.ENCRYPT_AND_SIGN) {
        throw new IllegalArgumentException("Table " + table + ": beacon " + b.name() + " has the name of an "
            + "unencrypted attribute");
      }
    }
    for (CompoundBeacon c : compoundBeacons) {
      for (CompoundBeacon.Part part : c.parts()) {
        CryptoAction action = actions.get(TerminalLocation.parse(part.location()).attribute());
        if (!part.encrypted() && (action == null || !action.isSigned()
            || action == CryptoAction.ENCRYPT_AND_SIGN)) {
          throw new IllegalArgumentException("Table " + table + ": compound beacon " + c.name() + " has signed "
              + "part " + part.name() + ", whose attribute " + part.location() + " must be SIGN_ONLY");
        }
      }
    }
    Map<String, CryptoAction> signed = new LinkedHashMap<>();
    for (String name : signedBeaconNames()) {
      if (actions.containsKey(name) || unsignedPrefix != null && name.startsWith(unsignedPrefix)) {
        throw new IllegalArgumentException("Table " + table + ": signed beacon " + name + " is an attribute of "
            + "its own, signed with the item; it must not be configured or unsigned by prefix");
      }
      signed.put(name, CryptoAction.SIGN_ONLY);
    }
    return signed;
  }

  /** The virtual field named {@code name}, if there is one. */
  public Optional<VirtualField> virtualField(String name) {
    return virtualFields.stream().filter(f -> f.name().equals(name)).findFirst();
  }

  /**
   * Virtual fields as the AWS library requires them: not named like a configured attribute, read from signed
   * attributes only (a value from an unsigned one could be forged), and no two on the same locations.
   */
  private void checkVirtualFields(String table, Map<String, CryptoAction> actions) {
    Map<Set<String>, String> byLocations = new HashMap<>();
    for (VirtualField f : virtualFields) {
      if (actions.containsKey(f.name())) {
        throw new IllegalArgumentException("Table " + table + ": virtual field " + f.name() + " has the name of a "
            + "configured attribute");
      }
      Set<String> locations = new HashSet<>();
      for (VirtualField.Part part : f.parts()) {
        CryptoAction action = actions.get(part.location().attribute());
        if (action == null || !action.isSigned()) {
          throw new IllegalArgumentException("Table " + table + ": virtual field " + f.name() + " reads "
              + part.location() + ", which must be signed (ENCRYPT_AND_SIGN, SIGN_ONLY or "
              + "SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT)");
        }
        locations.add(part.location().toString());
      }
      String other = byLocations.put(locations, f.name());
      if (other != null) {
        throw new IllegalArgumentException("Table " + table + ": virtual field " + f.name() + " is defined on the "
            + "same locations as " + other);
      }
    }
  }

  /**
   * The beacons of a single-tenant table, their keys derived from the beacon key on first use.
   *
   * @throws IllegalStateException for a multi-tenant table
   */
  public Beacons beacons() {
    if (keyFieldName != null) {
      throw new IllegalStateException("Multi-tenant beacons have a key per branch key id: use beacons(keyId)");
    }
    Beacons current = beacons;
    if (current == null) {
      synchronized (this) {
        current = beacons;
        if (current == null) {
          current = derive(null);
          beacons = current;
        }
      }
    }
    return current;
  }

  /** The beacons of a multi-tenant table's branch key {@code keyId} (the last 1,000 are kept). */
  public Beacons beacons(String keyId) {
    if (keyFieldName == null) {
      return beacons();
    }
    Objects.requireNonNull(keyId, "keyId");
    synchronized (tenants) {
      Beacons kept = tenants.get(keyId);
      if (kept != null) {
        return kept;
      }
    }
    Beacons derived = derive(keyId);
    synchronized (tenants) {
      tenants.putIfAbsent(keyId, derived);
      return tenants.get(keyId);
    }
  }

  /** The beacons without a key: signed beacons, plaintext beacons. */
  public Beacons keyless() {
    return keyless;
  }

  private Beacons derive(String keyId) {
    byte[] key = beaconKeys.apply(keyId);
    try {
      return Beacons.create(key, standardBeacons, compoundBeacons, virtualFields);
    } finally {
      java.util.Arrays.fill(key, (byte) 0);
    }
  }
}
