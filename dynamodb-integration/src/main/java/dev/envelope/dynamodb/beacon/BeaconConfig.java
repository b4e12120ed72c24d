package dev.envelope.dynamodb.beacon;

import dev.envelope.dynamodb.CryptoAction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
  private volatile Beacons beacons;

  private BeaconConfig(Supplier<byte[]> beaconKey, List<StandardBeacon> standardBeacons,
      List<CompoundBeacon> compoundBeacons) {
    this.beaconKey = Objects.requireNonNull(beaconKey, "beaconKey");
    this.standardBeacons = List.copyOf(standardBeacons);
    this.compoundBeacons = List.copyOf(compoundBeacons);
    if (this.standardBeacons.isEmpty()) {
      throw new IllegalArgumentException("Searchable encryption needs at least one standard beacon, as in the AWS "
          + "library");
    }
  }

  public static BeaconConfig of(Supplier<byte[]> beaconKey, List<StandardBeacon> standardBeacons,
      List<CompoundBeacon> compoundBeacons) {
    return new BeaconConfig(beaconKey, standardBeacons, compoundBeacons);
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
    for (StandardBeacon b : standardBeacons) {
      if (actions.get(b.location()) != CryptoAction.ENCRYPT_AND_SIGN) {
        throw new IllegalArgumentException("Table " + table + ": standard beacon " + b.name() + " hashes "
            + b.location() + ", which must be ENCRYPT_AND_SIGN (a beacon of a plaintext value would only leak)");
      }
      CryptoAction named = actions.get(b.name());
      if (named != null && named != CryptoAction.ENCRYPT_AND_SIGN) {
        throw new IllegalArgumentException("Table " + table + ": beacon " + b.name() + " has the name of an "
            + "unencrypted attribute");
      }
    }
    for (CompoundBeacon c : compoundBeacons) {
      for (CompoundBeacon.Part part : c.parts()) {
        CryptoAction action = actions.get(part.location());
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

  /** The beacons, their keys derived from the beacon key on first use. */
  public Beacons beacons() {
    Beacons current = beacons;
    if (current == null) {
      synchronized (this) {
        current = beacons;
        if (current == null) {
          byte[] key = beaconKey.get();
          try {
            current = Beacons.create(key, standardBeacons, compoundBeacons);
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
