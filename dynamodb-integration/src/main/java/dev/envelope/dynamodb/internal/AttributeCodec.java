package dev.envelope.dynamodb.internal;

import dev.envelope.core.spi.ByteReader;
import dev.envelope.core.spi.ByteWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The canonical byte form of a DynamoDB attribute value: what an encrypted attribute's plaintext is, and what the
 * item signature covers for a signed one. Canonical means two values DynamoDB treats as equal encode equally:
 * numbers are normalized as DynamoDB stores them ({@code 1.50} reads back as {@code 1.5}), set members are sorted
 * (DynamoDB returns sets in any order), map entries are sorted by key.
 *
 * <pre>
 * value  = type(u8) || body
 * S, N, B   : UTF-8 / normalized number / bytes; u32 length first when nested
 * BOOL      : u8 0 or 1          NULL: nothing
 * L         : u32 count || values                 M: u32 count || (u32 len || key || value), keys sorted
 * SS, NS, BS: u32 count || (u32 len || member), members sorted as unsigned bytes
 * </pre>
 * A top-level scalar carries no length: the attribute's ciphertext or the signature input already bounds it.
 */
public final class AttributeCodec {
  private static final int S = 1;
  private static final int N = 2;
  private static final int B = 3;
  private static final int BOOL = 4;
  private static final int NULL = 5;
  private static final int L = 6;
  private static final int M = 7;
  private static final int SS = 8;
  private static final int NS = 9;
  private static final int BS = 10;
  private static final int MAX_DEPTH = 32; // DynamoDB's own nesting limit
  private static final Comparator<byte[]> UNSIGNED = Arrays::compareUnsigned;

  private AttributeCodec() {}

  /** Thrown for a value this codec cannot represent; the message names no value, only its shape. */
  public static final class InvalidValueException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    InvalidValueException(String message) {
      super(message);
    }
  }

  public static byte[] encode(AttributeValue value) {
    ByteWriter out = new ByteWriter(64);
    encode(value, out, true, 0);
    return out.toByteArray();
  }

  public static void encode(AttributeValue value, ByteWriter out, boolean top, int depth) {
    if (depth > MAX_DEPTH) {
      throw new InvalidValueException("value nests deeper than " + MAX_DEPTH + " levels");
    }
    switch (value.type()) {
      case S -> scalar(out, S, value.s().getBytes(StandardCharsets.UTF_8), top);
      case N -> scalar(out, N, ascii(normalizeNumber(value.n())), top);
      case B -> scalar(out, B, value.b().asByteArrayUnsafe(), top);
      case BOOL -> out.u8(BOOL).u8(value.bool() ? 1 : 0);
      case NUL -> out.u8(NULL);
      case L -> {
        out.u8(L).u32(value.l().size());
        for (AttributeValue element : value.l()) {
          encode(element, out, false, depth + 1);
        }
      }
      case M -> {
        List<byte[]> keys = new ArrayList<>(value.m().size());
        Map<byte[], AttributeValue> byKey = new IdentityHashMap<>();
        for (Map.Entry<String, AttributeValue> e : value.m().entrySet()) {
          byte[] key = e.getKey().getBytes(StandardCharsets.UTF_8);
          keys.add(key);
          byKey.put(key, e.getValue());
        }
        keys.sort(UNSIGNED);
        out.u8(M).u32(keys.size());
        for (byte[] key : keys) {
          out.lengthPrefixed(key);
          encode(byKey.get(key), out, false, depth + 1);
        }
      }
      case SS -> set(out, SS, value.ss().stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList());
      case NS -> set(out, NS, value.ns().stream().map(n -> ascii(normalizeNumber(n))).toList());
      case BS -> set(out, BS, value.bs().stream().map(SdkBytes::asByteArrayUnsafe).toList());
      default -> throw new InvalidValueException("attribute value of unknown type " + value.type());
    }
  }

  private static void scalar(ByteWriter out, int type, byte[] body, boolean top) {
    out.u8(type);
    if (top) {
      out.bytes(body);
    } else {
      out.lengthPrefixed(body);
    }
  }

  /** A set as DynamoDB accepts it: not empty, no member twice (numbers compared as DynamoDB stores them). */
  private static void set(ByteWriter out, int type, List<byte[]> members) {
    if (members.isEmpty()) {
      throw new InvalidValueException("a set attribute is empty; DynamoDB refuses empty sets");
    }
    List<byte[]> sorted = new ArrayList<>(members);
    sorted.sort(UNSIGNED);
    for (int i = 1; i < sorted.size(); i++) {
      if (Arrays.equals(sorted.get(i - 1), sorted.get(i))) {
        throw new InvalidValueException("a set attribute holds a member twice; DynamoDB refuses such sets");
      }
    }
    out.u8(type).u32(sorted.size());
    for (byte[] member : sorted) {
      out.lengthPrefixed(member);
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * A number as DynamoDB stores it: no trailing fractional zeros, no exponent, no leading zeros, {@code 0} for any
   * zero. DynamoDB's limits apply (38 significant digits, magnitude 1E-130 to under 1E+126).
   */
  public static String normalizeNumber(String n) {
    BigDecimal d;
    try {
      d = new BigDecimal(n.trim());
    } catch (NumberFormatException e) {
      throw new InvalidValueException("N value is not a number");
    }
    if (d.signum() == 0) {
      return "0";
    }
    d = d.stripTrailingZeros();
    if (d.precision() > 38) {
      throw new InvalidValueException("N value has " + d.precision() + " significant digits; DynamoDB allows 38");
    }
    int exponent = d.precision() - d.scale() - 1; // position of the leading digit
    if (exponent >= 126 || exponent < -130) {
      throw new InvalidValueException("N value is out of DynamoDB's range (1E-130 to under 1E+126)");
    }
    return d.toPlainString();
  }

  /** Decodes a whole top-level value. */
  public static AttributeValue decode(byte[] bytes) throws ByteReader.TruncatedException {
    ByteReader in = new ByteReader(bytes);
    AttributeValue v = decode(in, true, 0);
    if (!in.atEnd()) {
      throw new ByteReader.TruncatedException(in.remaining() + " bytes after the value");
    }
    return v;
  }

  private static AttributeValue decode(ByteReader in, boolean top, int depth) throws ByteReader.TruncatedException {
    if (depth > MAX_DEPTH) {
      throw new ByteReader.TruncatedException("value nests deeper than " + MAX_DEPTH + " levels");
    }
    int type = in.u8();
    switch (type) {
      case S:
        return AttributeValue.fromS(new String(scalarBody(in, top), StandardCharsets.UTF_8));
      case N:
        return AttributeValue.fromN(new String(scalarBody(in, top), StandardCharsets.US_ASCII));
      case B:
        return AttributeValue.fromB(SdkBytes.fromByteArrayUnsafe(scalarBody(in, top)));
      case BOOL:
        return AttributeValue.fromBool(in.u8() != 0);
      case NULL:
        return AttributeValue.fromNul(true);
      case L: {
        int count = count(in);
        List<AttributeValue> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          list.add(decode(in, false, depth + 1));
        }
        return AttributeValue.fromL(list);
      }
      case M: {
        int count = count(in);
        Map<String, AttributeValue> map = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
          String key = new String(in.bytes(in.length()), StandardCharsets.UTF_8);
          map.put(key, decode(in, false, depth + 1));
        }
        return AttributeValue.fromM(map);
      }
      case SS:
      case NS:
      case BS: {
        int count = count(in);
        List<byte[]> members = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          members.add(in.bytes(in.length()));
        }
        if (type == SS) {
          return AttributeValue.fromSs(members.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList());
        }
        if (type == NS) {
          return AttributeValue.fromNs(members.stream().map(b -> new String(b, StandardCharsets.US_ASCII)).toList());
        }
        return AttributeValue.fromBs(members.stream().map(SdkBytes::fromByteArrayUnsafe).toList());
      }
      default:
        throw new ByteReader.TruncatedException("unknown type tag " + type);
    }
  }

  private static byte[] scalarBody(ByteReader in, boolean top) throws ByteReader.TruncatedException {
    return top ? in.bytes(in.remaining()) : in.bytes(in.length());
  }

  /** An element count; each element takes at least one byte, so a forged count cannot make us allocate. */
  private static int count(ByteReader in) throws ByteReader.TruncatedException {
    return in.length();
  }
}
