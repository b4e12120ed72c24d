package dev.envelope.core.internal;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.internal.format.FrameCipher;

/**
 * What encrypting the parts of one message needs: its header, its key (as frame ciphers) and its shape. A new
 * message's ({@link EncryptionSession}), or one begun by another process and resumed from its header
 * ({@link DecryptionSession#forResumedParts}).
 */
public interface PartKeys {
  /** The serialized header, which opens part 1. Not copied: callers must not change it. */
  byte[] header();

  byte[] messageId();

  AlgorithmSuite suite();

  int frameLength();

  /** A frame cipher with an AES-GCM cipher of its own, which may seal a frame again (a retried part). */
  FrameCipher newFrameCipher();

  /** Zeroes the keys. */
  void destroy();
}
