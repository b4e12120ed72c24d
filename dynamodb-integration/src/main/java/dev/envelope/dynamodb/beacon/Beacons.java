package dev.envelope.dynamodb.beacon;

import dev.envelope.core.spi.Hkdf;
import dev.envelope.core.spi.JcaPerThread;
import dev.envelope.dynamodb.internal.dbe.DbeAttributes;
import dev.envelope.dynamodb.internal.dbe.DbeNumbers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The beacons of one beacon key, computed as the AWS Database Encryption SDK 3.9.0 computes them:
 * <pre>
 * key of standard beacon n = HKDF-SHA512(beacon key, no salt, "AWS_DBE_SCAN_BEACON" || n, 64)   (Shared: the other's)
 * hash(bytes, N)           = lowercase hex, ceil(N/4) digits, of the low N bits of u64be(HMAC-SHA384(key, bytes)[0:8])
 * standard beacon          = hash(the value's serialization: UTF-8, normalized number, raw bytes...)   as S
 * AsSet beacon             = the set of the members' hashes                                          as SS
 * compound beacon          = prefix || (signed part: the value as written | encrypted part: hash(UTF-8(value)))
 *                            for each part of the first constructor whose required parts exist, joined by split
 * </pre>
 * A beacon reads its value at a location: an attribute, a nested location ({@code address.lines[0]}), or a
 * {@link VirtualField} (whose value is an S).
 * Beacons of encrypted values are stored as {@code aws_dbe_b_<name>}, outside the signature; compound beacons
 * of signed parts only are stored under their own name and signed. Immutable and thread-safe; the derived keys
 * live as long as the instance.
 */
public final class Beacons {
  /** The prefix of beacon attributes. */
  public static final String ATTRIBUTE_PREFIX = "aws_dbe_b_";
  private static final String KEY_LABEL = "AWS_DBE_SCAN_BEACON";

  private final Map<String, StandardBeacon> standard = new LinkedHashMap<>();
  private final Map<String, CompoundBeacon> compound = new LinkedHashMap<>();
  private final Map<String, byte[]> keys = new HashMap<>();
  /** How to read each location the beacons use: an attribute, a nested location, or a virtual field. */
  private final Map<String, Function<Map<String, AttributeValue>, AttributeValue>> readers = new HashMap<>();

  private Beacons(byte[] beaconKey, List<StandardBeacon> standardBeacons, List<CompoundBeacon> compoundBeacons,
      List<VirtualField> virtualFields) throws GeneralSecurityException {
    Map<String, VirtualField> virtual = new HashMap<>();
    for (VirtualField f : virtualFields) {
      if (virtual.put(f.name(), f) != null) {
        throw new IllegalArgumentException("Duplicate VirtualField name : " + f.name());
      }
    }
    for (StandardBeacon b : standardBeacons) {
      addReader(b.location(), virtual);
    }
    for (CompoundBeacon c : compoundBeacons) {
      c.parts().stream().filter(p -> !p.encrypted()).forEach(p -> addReader(p.location(), virtual));
    }
    for (StandardBeacon b : standardBeacons) {
      if (standard.put(b.name(), b) != null) {
        throw new IllegalArgumentException("Two standard beacons are named " + b.name());
      }
    }
    for (CompoundBeacon b : compoundBeacons) {
      if (standard.containsKey(b.name()) || compound.put(b.name(), b) != null) {
        throw new IllegalArgumentException("Two beacons are named " + b.name());
      }
      for (CompoundBeacon.Part part : b.parts()) {
        if (part.encrypted()) {
          StandardBeacon used = standard.get(part.name());
          if (used == null || used.style().isSet()) {
            throw new IllegalArgumentException("Compound beacon " + b.name() + ": encrypted part " + part.name()
                + " must name a standard beacon that is not a set");
          }
        }
      }
    }
    for (StandardBeacon b : standardBeacons) {
      String other = b.style().other();
      if (other != null) {
        StandardBeacon shared = standard.get(other);
        if (shared == null || shared.length() != b.length()) {
          throw new IllegalArgumentException("Beacon " + b.name() + " shares " + other + ", which must be a standard "
              + "beacon of the same length");
        }
      }
      if (b.style().kind() == BeaconStyle.Kind.PART_ONLY && compoundBeacons.stream().noneMatch(c -> c.parts().stream()
          .anyMatch(p -> p.encrypted() && p.name().equals(b.name())))) {
        throw new IllegalArgumentException("Beacon " + b.name() + " is PartOnly, but no compound beacon uses it");
      }
      if (beaconKey != null) {
        keys.put(b.name(), Hkdf.derive("HmacSHA512", null, beaconKey, (KEY_LABEL + b.name())
            .getBytes(StandardCharsets.UTF_8), 64));
      }
    }
  }

  /**
   * The beacons without a key: what needs none (signed beacons, plaintext beacons, the checks of the configuration);
   * computing a hash fails.
   */
  static Beacons keyless(List<StandardBeacon> standardBeacons, List<CompoundBeacon> compoundBeacons,
      List<VirtualField> virtualFields) {
    try {
      return new Beacons(null, standardBeacons, compoundBeacons, virtualFields);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("No key is derived", e);
    }
  }

  /**
   * The beacons of {@code beaconKey} (the 32 bytes of the key store's {@code beacon:ACTIVE} item).
   *
   * @throws IllegalArgumentException for a configuration the AWS library refuses too
   */
  public static Beacons create(byte[] beaconKey, List<StandardBeacon> standardBeacons,
      List<CompoundBeacon> compoundBeacons) {
    return create(beaconKey, standardBeacons, compoundBeacons, List.of());
  }

  /**
   * The beacons of {@code beaconKey}, whose locations may name {@code virtualFields}.
   *
   * @throws IllegalArgumentException for a configuration the AWS library refuses too
   */
  public static Beacons create(byte[] beaconKey, List<StandardBeacon> standardBeacons,
      List<CompoundBeacon> compoundBeacons, List<VirtualField> virtualFields) {
    Objects.requireNonNull(beaconKey, "beaconKey");
    try {
      return new Beacons(beaconKey, standardBeacons, compoundBeacons, virtualFields);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA512 is part of every JDK", e);
    }
  }

  /**
   * The beacon attributes stored next to an encrypted item: {@code aws_dbe_b_<name>} for every standard beacon
   * (but PartOnly) whose attribute is present, and every compound beacon with an encrypted part that can be built.
   *
   * @param item the plaintext item
   * @throws IllegalArgumentException when an AsSet attribute is not a set, or a compound value holds its split
   */
  public Map<String, AttributeValue> encryptedBeacons(Map<String, AttributeValue> item) {
    Map<String, AttributeValue> out = new LinkedHashMap<>();
    for (StandardBeacon b : standard.values()) {
      AttributeValue value = valueAt(b.location(), item);
      if (value == null || b.style().kind() == BeaconStyle.Kind.PART_ONLY) {
        continue;
      }
      out.put(ATTRIBUTE_PREFIX + b.name(), b.style().isSet() ? setBeacon(b, value)
          : AttributeValue.fromS(hash(b, DbeAttributes.serialize(value))));
    }
    for (CompoundBeacon c : compound.values()) {
      if (c.parts().stream().anyMatch(CompoundBeacon.Part::encrypted)) {
        String value = compoundValue(c, item, true);
        if (value != null) {
          out.put(ATTRIBUTE_PREFIX + c.name(), AttributeValue.fromS(value));
        }
      }
    }
    return out;
  }

  /** The compound beacons of signed parts only, stored under their own names and signed with the item. */
  public Map<String, AttributeValue> signedBeacons(Map<String, AttributeValue> item) {
    Map<String, AttributeValue> out = new LinkedHashMap<>();
    for (CompoundBeacon c : compound.values()) {
      if (c.parts().stream().noneMatch(CompoundBeacon.Part::encrypted)) {
        String value = compoundValue(c, item, true);
        if (value != null) {
          out.put(c.name(), AttributeValue.fromS(value));
        }
      }
    }
    return out;
  }

  /** The beacon of a value for standard beacon {@code name}: what a query compares {@code aws_dbe_b_<name>} with. */
  public String standardBeacon(String name, AttributeValue value) {
    StandardBeacon b = standard.get(name);
    if (b == null) {
      throw new IllegalArgumentException("No standard beacon " + name);
    }
    return hash(b, DbeAttributes.serialize(value));
  }

  /** The standard beacon named {@code name}, if there is one. */
  public java.util.Optional<StandardBeacon> standard(String name) {
    return java.util.Optional.ofNullable(standard.get(name));
  }

  /** The compound beacon named {@code name}, if there is one. */
  public java.util.Optional<CompoundBeacon> compound(String name) {
    return java.util.Optional.ofNullable(compound.get(name));
  }

  /**
   * What a query compares standard beacon {@code name} with, for {@code value}: the hash of its serialization as S;
   * for a set value of an AsSet beacon, or of {@code contains}, the set of its members' hashes as SS.
   */
  public AttributeValue standardQueryValue(String name, AttributeValue value, boolean contains) {
    StandardBeacon b = standard.get(name);
    boolean set = value.type() == AttributeValue.Type.SS || value.type() == AttributeValue.Type.NS
        || value.type() == AttributeValue.Type.BS;
    if (set && (contains || b.style().isSet())) {
      return setBeacon(b, value);
    }
    return AttributeValue.fromS(hash(b, DbeAttributes.serialize(value)));
  }

  /**
   * What a query compares compound beacon {@code name} with, for {@code value} in plaintext form
   * ({@code R-eu|E-alice@example.com}): signed pieces kept, encrypted pieces hashed after their prefix. Unless
   * {@code forEquality}, a last piece that is only a prefix is kept as it is ({@code begins_with(c, "T-1|E-")}).
   *
   * @throws IllegalArgumentException if a piece starts with no part's prefix
   */
  public String compoundQueryValue(String name, String value, boolean forEquality) {
    CompoundBeacon c = compound.get(name);
    List<String> pieces = c.pieces(value);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < pieces.size(); i++) {
      CompoundBeacon.Part part = c.partOf(pieces.get(i));
      String rest = pieces.get(i).substring(part.prefix().length());
      boolean barePrefix = !forEquality && i == pieces.size() - 1 && rest.isEmpty();
      out.add(!part.encrypted() || barePrefix ? pieces.get(i)
          : part.prefix() + hash(standard.get(part.name()), rest.getBytes(StandardCharsets.UTF_8)));
    }
    return String.join(String.valueOf(c.split()), out);
  }

  /**
   * The beacons of a decrypted item in plaintext, to check query results against the query as the caller wrote it:
   * each standard beacon is the value it hashes, each compound beacon its pieces unhashed
   * ({@code E-alice@example.com}). Under the beacon's name and its attribute's name, in a new map the caller may
   * change.
   */
  public Map<String, AttributeValue> plainBeacons(Map<String, AttributeValue> item) {
    Map<String, AttributeValue> out = new LinkedHashMap<>();
    for (StandardBeacon b : standard.values()) {
      AttributeValue value = valueAt(b.location(), item);
      if (value != null) {
        out.put(b.name(), value);
        out.put(ATTRIBUTE_PREFIX + b.name(), value);
      }
    }
    for (CompoundBeacon c : compound.values()) {
      String value = compoundValue(c, item, false);
      if (value != null) {
        out.put(c.name(), AttributeValue.fromS(value));
        out.put(ATTRIBUTE_PREFIX + c.name(), AttributeValue.fromS(value));
      }
    }
    return out;
  }

  private AttributeValue setBeacon(StandardBeacon b, AttributeValue value) {
    List<byte[]> members = new ArrayList<>();
    switch (value.type()) {
      case SS -> value.ss().forEach(s -> members.add(s.getBytes(StandardCharsets.UTF_8)));
      case NS -> value.ns().forEach(n -> members.add(DbeNumbers.normalize(n).getBytes(StandardCharsets.UTF_8)));
      case BS -> value.bs().forEach(bytes -> members.add(bytes.asByteArray()));
      default -> throw new IllegalArgumentException("Beacon " + b.name() + " is a set beacon, but attribute "
          + b.location() + " is " + value.type() + ", not SS, NS or BS");
    }
    Set<String> hashes = new LinkedHashSet<>();
    for (byte[] member : members) {
      hashes.add(hash(b, member));
    }
    return AttributeValue.fromSs(List.copyOf(hashes));
  }

  private void addReader(String location, Map<String, VirtualField> virtual) {
    VirtualField field = virtual.get(location);
    if (field != null) {
      readers.put(location, item -> {
        String value = field.valueIn(item);
        return value == null ? null : AttributeValue.fromS(value);
      });
    } else {
      TerminalLocation parsed = TerminalLocation.parse(location);
      readers.put(location, parsed.topLevel() ? item -> item.get(location) : parsed::valueIn);
    }
  }

  /** The value a beacon reads at {@code location} (an attribute, a nested location or a virtual field), or null. */
  private AttributeValue valueAt(String location, Map<String, AttributeValue> item) {
    return readers.get(location).apply(item);
  }

  /** The value of compound beacon {@code c} for {@code item}, its encrypted pieces hashed if {@code hashed}. */
  private String compoundValue(CompoundBeacon c, Map<String, AttributeValue> item, boolean hashed) {
    for (CompoundBeacon.Constructor constructor : c.effectiveConstructors()) {
      List<String> pieces = new ArrayList<>();
      boolean complete = true;
      for (int i = 0; i < constructor.parts().size(); i++) {
        String partName = constructor.parts().get(i);
        CompoundBeacon.Part part = c.parts().stream().filter(p -> p.name().equals(partName)).findFirst()
            .orElseThrow();
        String location = part.encrypted() ? standard.get(part.name()).location() : part.location();
        String text = stringValue(c, location, valueAt(location, item));
        if (text == null) {
          if (constructor.required().get(i)) {
            complete = false;
            break;
          }
          continue;
        }
        if (text.indexOf(c.split()) >= 0) {
          throw new IllegalArgumentException("Compound beacon " + c.name() + ": the value of " + location
              + " contains the split character '" + c.split() + "'");
        }
        pieces.add(part.prefix() + (part.encrypted() && hashed ? hash(standard.get(part.name()),
            text.getBytes(StandardCharsets.UTF_8)) : text));
      }
      if (complete && !pieces.isEmpty()) {
        return String.join(String.valueOf(c.split()), pieces);
      }
    }
    return null;
  }

  /** A part's value as text: S as is, N as written (not normalized), BOOL and NULL as words; absent as null. */
  private static String stringValue(CompoundBeacon c, String location, AttributeValue value) {
    if (value == null) {
      return null;
    }
    return switch (value.type()) {
      case S -> value.s();
      case N -> value.n();
      case BOOL -> value.bool() ? "true" : "false";
      case NUL -> "null";
      default -> throw new IllegalArgumentException("Compound beacon " + c.name() + ": attribute " + location + " is "
          + value.type() + "; parts take S, N, BOOL or NULL");
    };
  }

  private String hash(StandardBeacon b, byte[] bytes) {
    String keyName = b.style().other() != null ? b.style().other() : b.name();
    if (keys.isEmpty()) {
      throw new IllegalStateException("Beacon " + b.name() + " needs the beacon key");
    }
    try {
      Mac mac = JcaPerThread.mac("HmacSHA384");
      mac.init(new SecretKeySpec(keys.get(keyName), "HmacSHA384"));
      long bits = ByteBuffer.wrap(mac.doFinal(bytes), 0, 8).getLong() & ((1L << b.length()) - 1);
      String hex = Long.toHexString(bits);
      int digits = (b.length() + 3) / 4;
      return "0".repeat(Math.max(0, digits - hex.length())) + hex;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA384 is part of every JDK", e);
    }
  }

}
