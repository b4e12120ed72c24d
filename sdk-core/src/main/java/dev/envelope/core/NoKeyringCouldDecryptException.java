package dev.envelope.core;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * None of the encrypted data keys in the message could be decrypted with the configured keyrings. Lists each
 * attempt: which wrapping key was tried, or which encrypted data key was skipped, and why.
 */
public class NoKeyringCouldDecryptException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  /** One keyring's attempt at one encrypted data key (or at the whole list, when it found none it could use). */
  public record Attempt(String keyId, String reason) {
    public Attempt {
      Objects.requireNonNull(keyId, "keyId");
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String toString() {
      return keyId + ": " + reason;
    }
  }

  private final transient List<Attempt> attempts;
  private final int kmsCalls;
  private final int keyStoreCalls;

  public NoKeyringCouldDecryptException(List<Attempt> attempts) {
    this(attempts, null, 0);
  }

  public NoKeyringCouldDecryptException(List<Attempt> attempts, Throwable cause) {
    this(attempts, cause, 0);
  }

  /** As {@link #NoKeyringCouldDecryptException(List, Throwable)}, recording the KMS requests the attempts made. */
  public NoKeyringCouldDecryptException(List<Attempt> attempts, Throwable cause, int kmsCalls) {
    this(attempts, cause, kmsCalls, 0);
  }

  /** Also recording the key store (DynamoDB) calls the attempts made. */
  public NoKeyringCouldDecryptException(List<Attempt> attempts, Throwable cause, int kmsCalls, int keyStoreCalls) {
    super(describe(attempts), cause);
    this.attempts = List.copyOf(attempts);
    this.kmsCalls = kmsCalls;
    this.keyStoreCalls = keyStoreCalls;
  }

  /**
   * The KMS requests made by the failed attempts (each failed Decrypt is a request KMS received, billed and logged
   * in CloudTrail); audit events of failed decrypts report it.
   */
  public int kmsCalls() {
    return kmsCalls;
  }

  /** The key store (DynamoDB) calls made by the failed attempts. */
  public int keyStoreCalls() {
    return keyStoreCalls;
  }

  /** Every attempt in the order it was made. */
  public List<Attempt> attempts() {
    return attempts;
  }

  private static String describe(List<Attempt> attempts) {
    if (attempts.isEmpty()) {
      return "No keyring could decrypt the data key: no keyring tried any encrypted data key";
    }
    return "No keyring could decrypt the data key; tried "
        + attempts.stream().map(Attempt::toString).collect(Collectors.joining("; "));
  }
}
