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
import java.util.function.Supplier;

/**
 * A table's searchable encryption, single-tenant: where its beacon key comes from (for example
 * {@code () -> store.beaconKey(branchKeyId).key()} with a {@code DynamoDbBranchKeyStore}) and its standard and
 * compound beacons. The key is fetched once, on the first item that needs it: beacon keys do not rotate with
 * {@code versionKey}. Thread-safe.
 */
public final class BeaconConfig {
  private final Supplier<byte[]> beaconKey;
  private final List<StandardBeacon> standardBeacons;
  private final List<CompoundBeacon> compoundBeacons;
  private final List<VirtualField> virtualFields;
  private volatile Beacons beacons;

  private BeaconConfig(Supplier<byte[]> beaconKey, List<StandardBeacon> standardBeacons,
      List<CompoundBeacon> compoundBeacons, List<VirtualField> virtualFields) {
    this.beaconKey = Objects.requireNonNull(beaconKey, "beaconKey");
    this.standardBeacons = List.copyOf(standardBeacons);
    this.compoundBeacons = List.copyOf(compoundBeacons);
    this.virtualFields = List.copyOf(virtualFields);
    if (this.standardBeacons.isEmpty()) {
      throw new IllegalArgumentException("Searchable encryption needs at least one standard beacon, as in the AWS "
          + "library");
    }
  }

  public static BeaconConfig of(Supplier<byte[]> beaconKey, List<StandardBeacon> standardBeacons,
      List<CompoundBeacon> compoundBeacons) {
    return new BeaconConfig(beaconKey, standardBeacons, compoundBeacons, List.of());
  }

  /** This configuration with {@code fields}, which standard beacons may name as their location. */
  public BeaconConfig withVirtualFields(List<VirtualField> fields) {
    return new BeaconConfig(beaconKey, standardBeacons, compoundBeacons, fields);
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

  /** The beacons, their keys derived from the beacon key on first use. */
  public Beacons beacons() {
    Beacons current = beacons;
    if (current == null) {
      synchronized (this) {
        current = beacons;
        if (current == null) {
          byte[] key = beaconKey.get();
          try {
            current = Beacons.create(key, standardBeacons, compoundBeacons, virtualFields);
          } finally {
            java.util.Arrays.fill(key, (byte) 0);
          }
          beacons = current;
        }
      }
    }
    return current;
  }
}
