package dev.envelope.core.spi;

import dev.envelope.core.MalformedMessageException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 decoding of message fields. {@code new String(bytes, UTF_8)} replaces invalid sequences with U+FFFD,
 * whose encoding is longer than what it replaced: a field read that way no longer re-encodes to its own bytes (a
 * 65,535-byte provider id can grow past the format's limit), and two different byte strings can decode alike.
 */
public final class Utf8 {
  private Utf8() {}

  /**
   * Decodes {@code bytes}, refusing malformed input.
   *
   * @param field what the bytes are, for the error ("Encrypted data key provider id")
   * @throws MalformedMessageException if the bytes are not valid UTF-8
   */
  public static String decode(byte[] bytes, String field) {
    if (isAscii(bytes)) {
      return new String(bytes, StandardCharsets.US_ASCII); // most fields, and a decoder costs more than the check
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new MalformedMessageException(field + " is not valid UTF-8");
    }
  }

  private static boolean isAscii(byte[] bytes) {
    for (byte b : bytes) {
      if (b < 0) {
        return false;
      }
    }
    return true;
  }
}
