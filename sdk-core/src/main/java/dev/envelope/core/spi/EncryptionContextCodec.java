package dev.envelope.core.spi;

import dev.envelope.core.MalformedMessageException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Encryption context serialization (ESDK spec, structures.md#serialization):
 * <pre>
 * empty context -> zero bytes
 * otherwise     -> u16 count || count x { u16 keyLen || key (UTF-8) || u16 valueLen || value (UTF-8) }
 * </pre>
 * Pairs are sorted by key, comparing UTF-8 bytes as unsigned values (not {@code String.compareTo}, which orders
 * UTF-16 units and differs for characters outside the BMP).
 */
public final class EncryptionContextCodec {
  private EncryptionContextCodec() {}

  public static byte[] serialize(Map<String, String> context) {
    if (context.isEmpty()) {
      return new byte[0];
    }
    if (context.size() > 0xFFFF) {
      throw new IllegalArgumentException("encryption context has " + context.size() + " pairs, over 65535");
    }
    List<byte[][]> pairs = new ArrayList<>(context.size());
    for (Map.Entry<String, String> e : context.entrySet()) {
      byte[] key = e.getKey().getBytes(StandardCharsets.UTF_8);
      byte[] value = e.getValue().getBytes(StandardCharsets.UTF_8);
      if (key.length > 0xFFFF || value.length > 0xFFFF) {
        throw new IllegalArgumentException("encryption context key or value over 65535 bytes (key '"
            + e.getKey() + "')");
      }
      pairs.add(new byte[][] {key, value});
    }
    pairs.sort((a, b) -> Arrays.compareUnsigned(a[0], b[0]));
    ByteWriter out = new ByteWriter(64);
    out.u16(pairs.size());
    for (byte[][] pair : pairs) {
      out.u16Prefixed(pair[0]).u16Prefixed(pair[1]);
    }
    return out.toByteArray();
  }

  /**
   * Parses exactly {@code bytes}; rejects duplicate keys, invalid UTF-8, empty keys or values (every AWS Encryption
   * SDK refuses them), empty pair lists and trailing bytes.
   */
  public static Map<String, String> deserialize(byte[] bytes) {
    if (bytes.length == 0) {
      return Collections.emptyMap();
    }
    ByteReader in = new ByteReader(bytes);
    try {
      int count = in.u16();
      if (count == 0) {
        throw new MalformedMessageException("Encryption context has a length but no pairs");
      }
      Map<String, String> out = new LinkedHashMap<>();
      for (int i = 0; i < count; i++) {
        String key = Utf8.decode(in.bytes(in.u16()), "Encryption context");
        String value = Utf8.decode(in.bytes(in.u16()), "Encryption context");
        if (key.isEmpty() || value.isEmpty()) {
          throw new MalformedMessageException("Encryption context has an empty " + (key.isEmpty() ? "key" : "value")
              + ": the AWS Encryption SDK refuses such messages, and so does this library");
        }
        if (out.put(key, value) != null) {
          throw new MalformedMessageException("Encryption context has a duplicate key");
        }
      }
      if (!in.atEnd()) {
        throw new MalformedMessageException("Encryption context has bytes after its last pair");
      }
      return Collections.unmodifiableMap(out);
    } catch (ByteReader.TruncatedException e) {
      throw new MalformedMessageException("Encryption context is shorter than its pairs claim");
    }
  }
}
