package dev.envelope.core.keyring;

import dev.envelope.core.NoKeyringCouldDecryptException.Attempt;

/**
 * The bound on failed KMS {@code Decrypt} calls per key and message. A forged message can name a victim's key in
 * every encrypted data key it carries; without a bound, each would cost a KMS request (billed, throttled, and
 * logged in CloudTrail) before anything else is checked. Two failures allow a legitimate second data key for the
 * same key (a multi-Region key wrapped in two Regions) and stop a flood.
 */
final class KmsDecryptBudget {
  static final int DEFAULT_MAX_FAILURES_PER_KEY = 2;

  private KmsDecryptBudget() {}

  static int check(int maxFailures) {
    if (maxFailures < 1) {
      throw new IllegalArgumentException("maxDecryptFailuresPerKey must be at least 1: " + maxFailures);
    }
    return maxFailures;
  }

  static Attempt skipped(String keyId, int skipped, int maxFailures) {
    return new Attempt(keyId, skipped + " more encrypted data key" + (skipped == 1 ? " was" : "s were") + " not "
        + "tried: " + maxFailures + " Decrypt call" + (maxFailures == 1 ? "" : "s") + " with this key already failed "
        + "for this message (maxDecryptFailuresPerKey bounds what a forged message can cost)");
  }
}
