package dev.envelope.core.spi;

import dev.envelope.core.KeyAccessDeniedException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.model.KmsException;

/**
 * Turns KMS's errors into {@link KeyAccessDeniedException}s that name the key and say what to fix. Public for the
 * adapters that call KMS themselves (the S3 Encryption Client formats wrap keys with their own context).
 */
public final class KmsErrors {
  private KmsErrors() {}

  public static KeyAccessDeniedException translate(String operation, String keyId, SdkException e) {
    String code = e instanceof KmsException k && k.awsErrorDetails() != null
        && k.awsErrorDetails().errorCode() != null ? k.awsErrorDetails().errorCode() : e.getClass().getSimpleName();
    String detail = e instanceof KmsException k && k.awsErrorDetails() != null
        ? k.awsErrorDetails().errorMessage() : e.getMessage();
    boolean retryable = e.retryable() || "ThrottlingException".equals(code) || "KMSInternalException".equals(code)
        || "DependencyTimeoutException".equals(code) || "KeyUnavailableException".equals(code);
    return new KeyAccessDeniedException("KMS " + operation + " with key " + keyId + " failed: " + code
        + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")") + ". " + hint(code), keyId, code,
        retryable, e);
  }

  static String hint(String code) {
    return switch (code) {
      case "AccessDeniedException" -> "Fix: let the caller use the key: name its role in the key policy, or keep "
          + "the account-root statement in the key policy and allow the action in the role's IAM policy, or "
          + "create a grant.";
      case "DisabledException" -> "Fix: the key is disabled; enable it (EnableKey).";
      case "KMSInvalidStateException", "KmsInvalidStateException" -> "Fix: the key is not usable in its current "
          + "state; if it is pending deletion, cancel the deletion (CancelKeyDeletion) and enable it (EnableKey).";
      case "NotFoundException" -> "Fix: the key does not exist in this account and Region; check the key ARN and "
          + "the KMS client's Region.";
      case "InvalidCiphertextException" -> "Fix: the encrypted data key or the encryption context was changed, or "
          + "belongs to another key.";
      case "IncorrectKeyException" -> "Fix: the data key was encrypted under another KMS key.";
      case "InvalidGrantTokenException" -> "Fix: pass a grant token returned by CreateGrant.";
      case "ThrottlingException" -> "Retry later, or cache data keys (CachingMaterialsManager) to call KMS less.";
      default -> "Check the KMS key, its key policy and the caller's permissions.";
    };
  }
}
