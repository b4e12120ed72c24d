package dev.envelope.core.keystore;

import dev.envelope.core.EnvelopeException;

/**
 * A branch key could not be read, created or versioned. The message names the branch key id (and version, for a
 * version read), the key store, what failed and the fix; never key material.
 */
public class BranchKeyStoreException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  public BranchKeyStoreException(String message) {
    super(message);
  }

  public BranchKeyStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
