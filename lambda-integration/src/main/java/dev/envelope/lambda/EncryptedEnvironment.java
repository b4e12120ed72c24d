package dev.envelope.lambda;

import dev.envelope.core.KeyAccessDeniedException;
import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.AuditSink;
import dev.envelope.core.spi.KmsErrors;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;

/**
 * Environment variables encrypted with the Lambda console's encryption helpers: the value is the base64 KMS
 * ciphertext of the secret, encrypted under the context {@code {"LambdaFunctionName": <function name>}} (values
 * encrypted before the console added that context, or with the CLI, decrypt without it; both are tried, with the
 * context first).
 *
 * <pre>{@code
 * // a static field or the handler's constructor: once per execution environment (cold start)
 * private static final EncryptedEnvironment ENV = EncryptedEnvironment.builder().kms(KmsClient.create()).build();
 * String apiKey = ENV.get("API_KEY");                 // KMS is called on the first get, then cached
 * }</pre>
 *
 * <p>Each variable is decrypted at most once per instance (the value is cached; concurrent first reads of the same
 * variable make one KMS call), and each decryption emits one audit event with resource
 * {@code lambda://<function>/env/<NAME>}. Values never appear in exceptions, logs or audit events. Thread-safe.
 *
 * <p>SnapStart: decrypted values taken in a snapshot are shared by every restored environment; call
 * {@link #clear()} from a CRaC {@code afterRestore} hook if that is not wanted.
 */
public final class EncryptedEnvironment {
  /** The context key the Lambda console's encryption helpers use. */
  public static final String CONTEXT_KEY = "LambdaFunctionName";

  private final KmsClient kms;
  private final String functionName;
  private final Function<String, String> environment;
  private final String keyId;
  private final AuditSink auditSink;
  private final Map<String, String> cache = new ConcurrentHashMap<>();

  private EncryptedEnvironment(Builder b) {
    this.kms = Objects.requireNonNull(b.kms, "kms");
    this.environment = b.environment;
    this.functionName = b.functionName != null ? b.functionName : environment.apply("AWS_LAMBDA_FUNCTION_NAME");
    if (functionName == null || functionName.isEmpty()) {
      throw new IllegalArgumentException("No function name: AWS_LAMBDA_FUNCTION_NAME is not set; outside Lambda, "
          + "set functionName(...)");
    }
    this.keyId = b.keyId;
    this.auditSink = b.auditSink;
  }

  public static Builder builder() {
    return new Builder();
  }

  public String functionName() {
    return functionName;
  }

  /**
   * The decrypted value of {@code name}, from the cache after the first call.
   *
   * @throws EnvironmentVariableException when the variable is missing, is not a ciphertext for this function, or
   *     KMS refuses (the cause, a {@link KeyAccessDeniedException}, carries KMS's error code)
   */
  public String get(String name) {
    String cached = cache.get(name);
    if (cached != null) {
      return cached;
    }
    // computeIfAbsent: concurrent first reads wait for one KMS call instead of making several.
    return cache.computeIfAbsent(name, this::decrypt);
  }

  /** Forgets every decrypted value (for example after a SnapStart restore). */
  public void clear() {
    cache.clear();
  }

  private String decrypt(String name) {
    Instant start = Instant.now();
    long startNanos = System.nanoTime();
    String resource = "lambda://" + functionName + "/env/" + name;
    Map<String, String> functionContext = Map.of(CONTEXT_KEY, functionName);
    Map<String, String> context = functionContext;
    int calls = 0;
    try {
      String encoded = environment.apply(name);
      if (encoded == null || encoded.isEmpty()) {
        throw new EnvironmentVariableException(name, "Environment variable " + name + " of function " + functionName
            + " is not set", null);
      }
      SdkBytes blob;
      try {
        blob = SdkBytes.fromByteArray(Base64.getDecoder().decode(encoded.trim()));
      } catch (IllegalArgumentException e) {
        throw new EnvironmentVariableException(name, "Environment variable " + name + " of function " + functionName
            + " is not base64: it holds no KMS ciphertext (was it encrypted with the console's helpers?)", null);
      }
      DecryptResponse response;
      try {
        calls++;
        response = kms.decrypt(b -> b.ciphertextBlob(blob).encryptionContext(functionContext).keyId(keyId));
      } catch (InvalidCiphertextException withContext) {
        // Encrypted before the console bound the function name (2021), or with the CLI: no context.
        context = Map.of();
        try {
          calls++;
          response = kms.decrypt(b -> b.ciphertextBlob(blob).keyId(keyId));
        } catch (InvalidCiphertextException withoutContext) {
          throw new EnvironmentVariableException(name, "Environment variable " + name + " of function "
              + functionName + " does not decrypt with KMS, with the context {" + CONTEXT_KEY + "=" + functionName
              + "} nor without: it was encrypted for another function, under another key"
              + (keyId == null ? "" : " than " + keyId) + ", or changed", withoutContext);
        }
      }
      String value = response.plaintext().asUtf8String();
      record(resource, context, response.keyId(), calls, start, startNanos, null,
          response.plaintext().asByteArrayUnsafe().length);
      return value;
    } catch (SdkException e) {
      String key = keyId != null ? keyId : "named in the ciphertext";
      KeyAccessDeniedException denied = KmsErrors.translate("Decrypt", key, e);
      EnvironmentVariableException error = new EnvironmentVariableException(name, "Cannot decrypt environment "
          + "variable " + name + " of function " + functionName + ": " + denied.getMessage()
          + (denied.errorCode().equals("AccessDeniedException") ? " The function's execution role is the caller: "
              + "name it in the key policy with kms:Decrypt." : ""), denied);
      record(resource, context, key, calls, start, startNanos, error, 0);
      throw error;
    } catch (EnvironmentVariableException e) {
      record(resource, context, keyId, calls, start, startNanos, e, 0);
      throw e;
    }
  }

  private void record(String resource, Map<String, String> context, String key, int calls, Instant start,
      long startNanos, Throwable error, long bytes) {
    AuditEvent event = AuditEvent.builder()
        .time(start)
        .operation(AuditEvent.Operation.DECRYPT)
        .outcome(error == null ? AuditEvent.Outcome.SUCCESS : AuditEvent.Outcome.FAILURE)
        .errorClass(error == null ? null : error.getClass().getSimpleName())
        .wrappingKeyIds(key == null ? List.of() : List.of(key))
        .encryptionContext(context)
        .byteCount(bytes)
        .kmsCalls(calls)
        .duration(Duration.ofNanos(System.nanoTime() - startNanos))
        .resource(resource)
        .build();
    try {
      auditSink.record(event);
    } catch (RuntimeException e) {
      if (error != null) {
        error.addSuppressed(e);
        return;
      }
      throw new EnvironmentVariableException(resource, "Audit sink failed to record the decryption of " + resource
          + "; the value is not returned", e);
    }
  }

  /**
   * Encrypts {@code value} the way the Lambda console's encryption helpers do, for deploy scripts and tests: KMS
   * Encrypt under {@code keyId} with the context {@code {"LambdaFunctionName": functionName}}, base64.
   */
  public static String encryptLikeConsole(KmsClient kms, String keyId, String functionName, String value) {
    return Base64.getEncoder().encodeToString(kms.encrypt(b -> b.keyId(keyId)
        .plaintext(SdkBytes.fromString(value, StandardCharsets.UTF_8))
        .encryptionContext(Map.of(CONTEXT_KEY, functionName))).ciphertextBlob().asByteArray());
  }

  /** Builder: a KMS client is required. */
  public static final class Builder {
    private KmsClient kms;
    private String functionName;
    private Function<String, String> environment = System::getenv;
    private String keyId;
    private AuditSink auditSink = AuditSink.none();

    private Builder() {}

    /** The KMS client, built once per execution environment. Required. */
    public Builder kms(KmsClient kms) {
      this.kms = kms;
      return this;
    }

    /** The function name bound in the context; default: {@code AWS_LAMBDA_FUNCTION_NAME}. */
    public Builder functionName(String functionName) {
      this.functionName = functionName;
      return this;
    }

    /** Where variables are read; default {@code System::getenv} (tests pass a map's {@code get}). */
    public Builder environment(Function<String, String> environment) {
      this.environment = Objects.requireNonNull(environment, "environment");
      return this;
    }

    /**
     * The KMS key the values must be encrypted under (sent as Decrypt's KeyId, so a value under another key is
     * refused, and named in error messages). Optional: KMS finds the key from the ciphertext.
     */
    public Builder keyId(String keyId) {
      this.keyId = keyId;
      return this;
    }

    /** Where each variable's decrypt is recorded. {@link AuditSink#none()} by default. */
    public Builder auditSink(AuditSink auditSink) {
      this.auditSink = Objects.requireNonNull(auditSink, "auditSink");
      return this;
    }

    public EncryptedEnvironment build() {
      return new EncryptedEnvironment(this);
    }
  }
}
