package dev.envelope.s3;

import java.io.IOException;
import java.io.InputStream;

/** A plaintext that can be read more than once (the SDK re-reads bodies); every read must give the same bytes. */
@FunctionalInterface
interface ContentSource {
  InputStream open() throws IOException;
}
