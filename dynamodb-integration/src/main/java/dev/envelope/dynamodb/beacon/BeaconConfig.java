package dev.envelope.dynamodb.beacon;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
