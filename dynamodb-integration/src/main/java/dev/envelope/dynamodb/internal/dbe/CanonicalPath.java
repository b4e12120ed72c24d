package dev.envelope.dynamodb.internal.dbe;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The canonical path of a top-level attribute, which orders signed attributes, is the AAD of an encrypted one and
 * names it in the footer's hash:
 * <pre>
 * UTF-8(logical table name) || u64(1) || '$' || u64(name length) || UTF-8(name)
 * </pre>
 * The name length counts UTF-16 code units ({@code String.length()}), not UTF-8 bytes: what the AWS library writes
 * (its specification leaves it open). Signed attributes are ordered by the unsigned bytes of their paths, so
 * shorter names come first.
 */
public final class CanonicalPath {
  private CanonicalPath() {}

  public static byte[] of(byte[] tableName, String attribute) {
    byte[] name = attribute.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(tableName.length + 8 + 1 + 8 + name.length).put(tableName).putLong(1).put((byte) '$')
        .putLong(attribute.length()).put(name).array();
  }
}
