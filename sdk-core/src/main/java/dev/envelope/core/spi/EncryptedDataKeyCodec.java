package dev.envelope.core.spi;

import dev.envelope.core.materials.EncryptedDataKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The encrypted-data-key entries of the ESDK message header, also used by the DynamoDB item header: per key, the
 * provider id (UTF-8), the provider info and the ciphertext, each a u16 length and its bytes. The count before
 * them is the caller's (two bytes in a message, one in an item), and so is the check of the count against its
 * limit, made before this reads a single entry.
 */
public final class EncryptedDataKeyCodec {
  private EncryptedDataKeyCodec() {}

  /** Where entries are read from: the next u16-length-prefixed field, whole. */
  @FunctionalInterface
  public interface FieldSource {
    byte[] nextField() throws IOException;
  }

  /** Writes the entries (not the count). Field lengths were checked by {@code EncryptedDataKey} (at most 65,535). */
  public static void write(ByteWriter out, List<EncryptedDataKey> edks) {
    for (EncryptedDataKey edk : edks) {
      out.u16Prefixed(edk.providerId().getBytes(StandardCharsets.UTF_8))
          .u16Prefixed(edk.providerInfo())
          .u16Prefixed(edk.ciphertext());
    }
  }

  /**
   * Reads {@code count} entries.
   *
   * @throws IOException when the input ends early (from {@code in})
   * @throws dev.envelope.core.MalformedMessageException when a provider id is not UTF-8
   */
  public static List<EncryptedDataKey> read(FieldSource in, int count) throws IOException {
    List<EncryptedDataKey> edks = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String providerId = Utf8.decode(in.nextField(), "Encrypted data key provider id");
      byte[] providerInfo = in.nextField();
      byte[] ciphertext = in.nextField();
      edks.add(EncryptedDataKey.of(providerId, providerInfo, ciphertext));
    }
    return List.copyOf(edks);
  }
}
