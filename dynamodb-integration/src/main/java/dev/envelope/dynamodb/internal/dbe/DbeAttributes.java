package dev.envelope.dynamodb.internal.dbe;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * DynamoDB attribute values as the AWS Database Encryption SDK serializes them (its {@code DynamoToStruct},
 * {@code ddb-attribute-serialization.md}): a two-byte type id and the value bytes, with nested values prefixed by
 * their type id and a u32 length. Strings and map keys are UTF-8; string and number sets and map keys are ordered
 * by UTF-16 code units ({@code String.compareTo}), binary sets by unsigned bytes; numbers are normalized
 * ({@link DbeNumbers}); nesting stops at depth 32.
 */
public final class DbeAttributes {
  public static final int NULL = 0x0000;
  public static final int STRING = 0x0001;
  public static final int NUMBER = 0x0002;
  public static final int BINARY = 0xFFFF;
  public static final int BOOLEAN = 0x0004;
  public static final int STRING_SET = 0x0101;
  public static final int NUMBER_SET = 0x0102;
  public static final int BINARY_SET = 0x01FF;
  public static final int MAP = 0x0200;
  public static final int LIST = 0x0300;

  private static final int MAX_DEPTH = 32;

  private DbeAttributes() {}

  /** The type id of {@code value}. */
  public static int typeId(AttributeValue value) {
    switch (value.type()) {
      case S: return STRING;
      case N: return NUMBER;
      case B: return BINARY;
      case BOOL: return BOOLEAN;
      case NUL: return NULL;
      case SS: return STRING_SET;
      case NS: return NUMBER_SET;
      case BS: return BINARY_SET;
      case M: return MAP;
      case L: return LIST;
      default: throw new DbeFormatException("Attribute value of unknown type " + value.type());
    }
  }

  /** The value bytes of a top-level attribute (no type id, no length: both are kept apart). */
  public static byte[] serialize(AttributeValue value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    write(out, value, 1);
    return out.toByteArray();
  }

  private static void write(ByteArrayOutputStream out, AttributeValue value, int depth) {
    if (depth > MAX_DEPTH) {
      throw new DbeFormatException("Depth of attribute structure to serialize exceeds limit of " + MAX_DEPTH);
    }
    if (value.type() == AttributeValue.Type.SS && value.ss().isEmpty()
        || value.type() == AttributeValue.Type.NS && value.ns().isEmpty()
        || value.type() == AttributeValue.Type.BS && value.bs().isEmpty()) {
      // The AWS library would encrypt it; refused so that a set DynamoDB cannot store is never hidden inside one.
      throw new DbeFormatException("An empty " + value.type() + " set: DynamoDB refuses empty sets");
    }
    switch (value.type()) {
      case S -> out.writeBytes(utf8(value.s()));
      case N -> out.writeBytes(utf8(DbeNumbers.normalize(value.n())));
      case B -> out.writeBytes(value.b().asByteArrayUnsafe());
      case BOOL -> out.write(value.bool() ? 1 : 0);
      case NUL -> { }
      case SS -> strings(out, unique(value.ss(), "String Set had duplicate values"));
      case NS -> {
        List<String> normalized = new ArrayList<>();
        for (String n : unique(value.ns(), "Number Set had duplicate values")) {
          normalized.add(DbeNumbers.normalize(n));
        }
        strings(out, unique(normalized, "Number Set had duplicate values after normalization."));
      }
      case BS -> binaries(out, value.bs());
      case M -> {
        u32(out, value.m().size());
        for (Map.Entry<String, AttributeValue> e : new TreeMap<>(value.m()).entrySet()) {
          u16(out, STRING);
          byte[] key = utf8(e.getKey());
          u32(out, key.length);
          out.writeBytes(key);
          nested(out, e.getValue(), depth + 1);
        }
      }
      case L -> {
        u32(out, value.l().size());
        for (AttributeValue element : value.l()) {
          nested(out, element, depth + 1);
        }
      }
      default -> throw new DbeFormatException("Attribute value of unknown type " + value.type());
    }
  }

  private static void nested(ByteArrayOutputStream out, AttributeValue value, int depth) {
    ByteArrayOutputStream inner = new ByteArrayOutputStream();
    write(inner, value, depth);
    u16(out, typeId(value));
    u32(out, inner.size());
    out.writeBytes(inner.toByteArray());
  }

  private static List<String> unique(List<String> values, String duplicateMessage) {
    if (new HashSet<>(values).size() != values.size()) {
      throw new DbeFormatException(duplicateMessage);
    }
    return values;
  }

  private static void strings(ByteArrayOutputStream out, List<String> values) {
    List<String> sorted = new ArrayList<>(values);
    sorted.sort(null); // String.compareTo: UTF-16 code units, as the AWS library orders them
    u32(out, sorted.size());
    for (String s : sorted) {
      byte[] bytes = utf8(s);
      u32(out, bytes.length);
      out.writeBytes(bytes);
    }
  }

  private static void binaries(ByteArrayOutputStream out, List<SdkBytes> values) {
    List<byte[]> sorted = new ArrayList<>();
    for (SdkBytes b : values) {
      sorted.add(b.asByteArrayUnsafe());
    }
    sorted.sort(Arrays::compareUnsigned);
    for (int i = 1; i < sorted.size(); i++) {
      if (Arrays.equals(sorted.get(i - 1), sorted.get(i))) {
        throw new DbeFormatException("Binary Set had duplicate values");
      }
    }
    u32(out, sorted.size());
    for (byte[] b : sorted) {
      u32(out, b.length);
      out.writeBytes(b);
    }
  }

  /**
   * The attribute value of type {@code typeId} whose value bytes are {@code bytes} (all of them).
   *
   * @throws DbeFormatException if the bytes are not such a value
   */
  public static AttributeValue deserialize(int typeId, byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    AttributeValue value = read(in, typeId, bytes.length, 1);
    if (in.hasRemaining()) {
      throw new DbeFormatException("Mismatch between length of encoded data and length of data");
    }
    return value;
  }

  private static AttributeValue read(ByteBuffer in, int typeId, int length, int depth) {
    if (depth > MAX_DEPTH) {
      throw new DbeFormatException("Depth of attribute structure to deserialize exceeds limit of " + MAX_DEPTH);
    }
    int end = in.position() + length;
    switch (typeId) {
      case NULL:
        need(length == 0, "NULL type did not have length zero");
        return AttributeValue.fromNul(true);
      case STRING:
        return AttributeValue.fromS(decodeUtf8(take(in, length)));
      case NUMBER:
        return AttributeValue.fromN(decodeUtf8(take(in, length)));
      case BINARY:
        return AttributeValue.fromB(SdkBytes.fromByteArray(take(in, length)));
      case BOOLEAN: {
        need(length == 1, "Boolean value must be one byte");
        int b = in.get();
        need(b == 0 || b == 1, "Boolean value must be 0 or 1");
        return AttributeValue.fromBool(b == 1);
      }
      case STRING_SET:
      case NUMBER_SET: {
        int count = count(in, end);
        List<String> members = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          members.add(decodeUtf8(take(in, lengthWithin(in, end))));
        }
        need(new HashSet<>(members).size() == members.size(), (typeId == STRING_SET ? "String" : "Number")
            + " set values must not have duplicates");
        return typeId == STRING_SET ? AttributeValue.fromSs(members) : AttributeValue.fromNs(members);
      }
      case BINARY_SET: {
        int count = count(in, end);
        List<SdkBytes> members = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          members.add(SdkBytes.fromByteArray(take(in, lengthWithin(in, end))));
        }
        need(new HashSet<>(members).size() == members.size(), "Binary set values must not have duplicates");
        return AttributeValue.fromBs(members);
      }
      case MAP: {
        int count = count(in, end);
        Map<String, AttributeValue> map = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
          need(end - in.position() >= 2 && (in.getShort() & 0xFFFF) == STRING, "Key of Map is not String");
          String key = decodeUtf8(take(in, lengthWithin(in, end)));
          need(end - in.position() >= 6, "Out of bytes reading Map value");
          int valueType = in.getShort() & 0xFFFF;
          int valueLength = lengthWithin(in, end);
          need(map.put(key, read(in, valueType, valueLength, depth + 1)) == null, "Duplicate key in map.");
        }
        need(in.position() == end, "Mismatch between length of encoded data and length of data");
        return AttributeValue.fromM(map);
      }
      case LIST: {
        int count = count(in, end);
        List<AttributeValue> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          need(end - in.position() >= 6, "Out of bytes reading Type of List element");
          int elementType = in.getShort() & 0xFFFF;
          list.add(read(in, elementType, lengthWithin(in, end), depth + 1));
        }
        need(in.position() == end, "Mismatch between length of encoded data and length of data");
        return AttributeValue.fromL(list);
      }
      default:
        throw new DbeFormatException(String.format("Unsupported type id 0x%04X", typeId));
    }
  }

  private static int count(ByteBuffer in, int end) {
    need(end - in.position() >= 4, "Length of 4-byte integer was less than 4");
    int count = in.getInt();
    need(count >= 0 && count <= end - in.position(), "Count larger than the data that follows");
    return count;
  }

  private static int lengthWithin(ByteBuffer in, int end) {
    need(end - in.position() >= 4, "Length of 4-byte integer was less than 4");
    int length = in.getInt();
    need(length >= 0 && length <= end - in.position(), "Length larger than the data that follows");
    return length;
  }

  private static byte[] take(ByteBuffer in, int length) {
    need(length <= in.remaining(), "Out of bytes");
    byte[] out = new byte[length];
    in.get(out);
    return out;
  }

  private static String decodeUtf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new DbeFormatException("Invalid UTF-8 in a string value");
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void u16(ByteArrayOutputStream out, int v) {
    out.write(v >>> 8);
    out.write(v);
  }

  private static void u32(ByteArrayOutputStream out, int v) {
    out.write(v >>> 24);
    out.write(v >>> 16);
    out.write(v >>> 8);
    out.write(v);
  }

  private static void need(boolean condition, String message) {
    if (!condition) {
      throw new DbeFormatException(message);
    }
  }
}
