package dev.envelope.dynamodb.beacon;

import java.util.Objects;

/**
 * A standard beacon: the low {@code length} bits (1 to 63) of an HMAC of an encrypted attribute's value, stored as
 * {@code aws_dbe_b_<name>} so that equality can be searched without decrypting. Fewer bits mean more false
 * positives (filtered out after decryption) and less for an observer to learn about value frequencies.
 *
 * @param location what it hashes: an attribute, a nested location ({@code address.zip}, see
 *     {@link TerminalLocation}) or a {@link VirtualField}'s name; the beacon's name by default
 */
public record StandardBeacon(String name, int length, String location, BeaconStyle style) {
  public StandardBeacon {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(style, "style");
    if (length < 1 || length > 63) {
      throw new IllegalArgumentException("Beacon " + name + ": length must be 1 to 63 bits, not " + length);
    }
  }

  /** A beacon named after the attribute it hashes. */
  public static StandardBeacon of(String name, int length) {
    return new StandardBeacon(name, length, name, BeaconStyle.standard());
  }

  public StandardBeacon withLocation(String attribute) {
    return new StandardBeacon(name, length, attribute, style);
  }

  public StandardBeacon withStyle(BeaconStyle newStyle) {
    return new StandardBeacon(name, length, location, newStyle);
  }
}
