package dev.envelope.s3;

import dev.envelope.core.RangeDecryptor;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Closes the range decryptor (its audit event and keys) with the plaintext stream of one ranged read. */
final class RangeClosingInputStream extends FilterInputStream {
  private final RangeDecryptor decryptor;

  RangeClosingInputStream(InputStream in, RangeDecryptor decryptor) {
    super(in);
    this.decryptor = decryptor;
  }

  @Override
  public void close() throws IOException {
    try {
      super.close();
    } finally {
      decryptor.close();
    }
  }
}
