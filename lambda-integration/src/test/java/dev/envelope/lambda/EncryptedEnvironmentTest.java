package dev.envelope.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.KeyAccessDeniedException;
import dev.envelope.core.audit.AuditEvent;
import dev.envelope.core.audit.InMemoryAuditSink;
import dev.envelope.kms.KmsEmulator;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;

/**
 * Environment variables encrypted as the Lambda console does, read by a function whose execution role is (or is
 * not) in the key policy, against the KMS emulator enforcing key policies.
 */
class EncryptedEnvironmentTest {
  private static final String FUNCTION = "order-processor";
  private static final String SECRET = "sk_live_do_not_log_me";

  private KmsEmulator kms;
  private final Map<String, String> env = new HashMap<>();
  private final InMemoryAuditSink audit = new InMemoryAuditSink();

  @BeforeEach
  void start() {
    kms = LambdaTestParts.kms();
    env.put("AWS_LAMBDA_FUNCTION_NAME", FUNCTION);
  }

  @AfterEach
  void stop() {
    kms.close();
  }

  private EncryptedEnvironment environment() {
    return EncryptedEnvironment.builder().kms(kms.client(LambdaTestParts.EXECUTION_ROLE)).environment(env::get)
        .auditSink(audit).build();
  }

  private long decryptCalls() {
    return kms.trail().stream().filter(e -> "Decrypt".equals(e.path("eventName").asText())).count();
  }

  @Test
  void consoleEncryptedValuesDecryptOnceWithAndWithoutTheFunctionContext() {
    String key = LambdaTestParts.keyFor(kms, "kms:Decrypt");
    env.put("API_KEY", EncryptedEnvironment.encryptLikeConsole(kms.client(LambdaTestParts.ADMIN), key, FUNCTION,
        SECRET));
    // Encrypted before the console bound the function name (or with the CLI): no context.
    env.put("DB_PASSWORD", Base64.getEncoder().encodeToString(kms.client(LambdaTestParts.ADMIN).encrypt(b -> b
        .keyId(key).plaintext(SdkBytes.fromUtf8String("hunter2"))).ciphertextBlob().asByteArray()));

    EncryptedEnvironment environment = environment();
    assertEquals(SECRET, environment.get("API_KEY"));
    assertEquals("hunter2", environment.get("DB_PASSWORD"));
    long calls = decryptCalls();
    assertEquals(SECRET, environment.get("API_KEY"));
    assertEquals("hunter2", environment.get("DB_PASSWORD"));
    assertEquals(calls, decryptCalls(), "cached: no KMS call on the second read");

    List<AuditEvent> events = audit.events();
    assertEquals(2, events.size());
    assertEquals("lambda://order-processor/env/API_KEY", events.get(0).resource().orElseThrow());
    assertEquals(Map.of(EncryptedEnvironment.CONTEXT_KEY, FUNCTION), events.get(0).encryptionContext());
    assertEquals(1, events.get(0).kmsCalls());
    assertEquals(List.of(key), events.get(0).wrappingKeyIds());
    assertEquals(Map.of(), events.get(1).encryptionContext(), "the fallback decrypted without context");
    assertEquals(2, events.get(1).kmsCalls());
    events.forEach(e -> assertFalse(e.toString().contains(SECRET) || e.toString().contains("hunter2")));
  }

  @Test
  void roleMissingFromTheKeyPolicyGivesTheClearError() {
    String key = LambdaTestParts.keyFor(kms); // the execution role is not in the policy
    env.put("API_KEY", EncryptedEnvironment.encryptLikeConsole(kms.client(LambdaTestParts.ADMIN), key, FUNCTION,
        SECRET));
    EnvironmentVariableException e = assertThrows(EnvironmentVariableException.class,
        () -> environment().get("API_KEY"));
    assertEquals("API_KEY", e.variable());
    assertTrue(e.getMessage().startsWith("Cannot decrypt environment variable API_KEY of function order-processor: "
        + "KMS Decrypt with key named in the ciphertext failed: AccessDeniedException (User: "
        + LambdaTestParts.EXECUTION_ROLE.arn() + " is not authorized to perform: kms:Decrypt on resource: " + key),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("The function's execution role is the caller: name it in the key policy "
        + "with kms:Decrypt."), e.getMessage());
    assertInstanceOf(KeyAccessDeniedException.class, e.getCause());
    assertEquals("AccessDeniedException", ((KeyAccessDeniedException) e.getCause()).errorCode());
    assertFalse(e.getMessage().contains(SECRET) || e.getMessage().contains(env.get("API_KEY")));
    assertEquals(AuditEvent.Outcome.FAILURE, audit.events().get(0).outcome());
    assertEquals("EnvironmentVariableException", audit.events().get(0).errorClass().orElseThrow());
  }

  @Test
  void disabledKeyGivesTheClearError() {
    String key = LambdaTestParts.keyFor(kms, "kms:Decrypt");
    env.put("API_KEY", EncryptedEnvironment.encryptLikeConsole(kms.client(LambdaTestParts.ADMIN), key, FUNCTION,
        SECRET));
    kms.client(LambdaTestParts.ADMIN).disableKey(b -> b.keyId(key));
    EncryptedEnvironment environment = EncryptedEnvironment.builder().kms(kms.client(LambdaTestParts.EXECUTION_ROLE))
        .environment(env::get).keyId(key).build();
    EnvironmentVariableException e = assertThrows(EnvironmentVariableException.class,
        () -> environment.get("API_KEY"));
    assertTrue(e.getMessage().startsWith("Cannot decrypt environment variable API_KEY of function order-processor: "
        + "KMS Decrypt with key " + key + " failed: DisabledException"), e.getMessage());
    assertTrue(e.getMessage().endsWith("Fix: the key is disabled; enable it (EnableKey)."), e.getMessage());

    kms.client(LambdaTestParts.ADMIN).enableKey(b -> b.keyId(key));
    assertEquals(SECRET, environment.get("API_KEY"), "a failure is not cached");
  }

  @Test
  void valueForAnotherFunctionOrNotCiphertextIsRefusedWithoutShowingIt() {
    String key = LambdaTestParts.keyFor(kms, "kms:Decrypt");
    env.put("OTHER", EncryptedEnvironment.encryptLikeConsole(kms.client(LambdaTestParts.ADMIN), key,
        "another-function", SECRET));
    env.put("PLAIN", "not base64 at all!");
    EncryptedEnvironment environment = environment();
    EnvironmentVariableException e = assertThrows(EnvironmentVariableException.class,
        () -> environment.get("OTHER"));
    assertEquals("Environment variable OTHER of function order-processor does not decrypt with KMS, with the "
        + "context {LambdaFunctionName=order-processor} nor without: it was encrypted for another function, under "
        + "another key, or changed", e.getMessage());
    e = assertThrows(EnvironmentVariableException.class, () -> environment.get("PLAIN"));
    assertEquals("Environment variable PLAIN of function order-processor is not base64: it holds no KMS ciphertext "
        + "(was it encrypted with the console's helpers?)", e.getMessage());
    e = assertThrows(EnvironmentVariableException.class, () -> environment.get("MISSING"));
    assertEquals("Environment variable MISSING of function order-processor is not set", e.getMessage());
  }

  @Test
  void functionNameIsRequired() {
    env.remove("AWS_LAMBDA_FUNCTION_NAME");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, this::environment);
    assertEquals("No function name: AWS_LAMBDA_FUNCTION_NAME is not set; outside Lambda, set functionName(...)",
        e.getMessage());
  }
}
