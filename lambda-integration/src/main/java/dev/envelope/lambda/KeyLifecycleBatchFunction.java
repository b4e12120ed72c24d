package dev.envelope.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.S3BatchEventV2;
import com.amazonaws.services.lambda.runtime.events.S3BatchResponse;
import dev.envelope.core.keyring.Keyring;
import dev.envelope.core.keyring.KmsDiscoveryKeyring;
import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.core.keyring.MultiKeyring;
import dev.envelope.s3.EncryptingS3Client;
import dev.envelope.s3.EncryptingS3ClientBuilder;
import dev.envelope.s3.KmsS3ecKeyring;
import dev.envelope.s3.ObjectRekeyer;
import dev.envelope.s3.RekeyMethod;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@link KeyLifecycleBatchHandler} ready to deploy: the Lambda handler {@code
 * dev.envelope.lambda.KeyLifecycleBatchFunction::handleRequest} (invocation schema 2.0), configured by its
 * environment, built once per execution environment:
 * <ul>
 *   <li>{@code ENVELOPE_OPERATION}: {@code inventory} (no key used), {@code rekey} or {@code migrate};
 *   <li>{@code ENVELOPE_FROM_KEYS}: comma-separated KMS key ARNs data keys are moved off (rekey: only objects under
 *       them are touched; empty: any key the role may use decrypts, none is filtered);
 *   <li>{@code ENVELOPE_TO_KEYS}: comma-separated KMS key ARNs to wrap under (rekey, migrate);
 *   <li>{@code ENVELOPE_REKEY_METHOD}: {@code reencrypt} (default) or {@code header};
 *   <li>{@code ENVELOPE_S3EC}: {@code true} to re-wrap S3 Encryption Client objects in place under the first
 *       {@code ENVELOPE_TO_KEYS} key (rekey) — with {@code migrate}, S3EC and unencrypted objects are re-encrypted
 *       into the framed format instead.
 * </ul>
 * Thread-safe.
 */
public class KeyLifecycleBatchFunction implements RequestHandler<S3BatchEventV2, S3BatchResponse> {
  private final KeyLifecycleBatchHandler handler;

  /** For Lambda: the environment and the SDK's default clients. */
  public KeyLifecycleBatchFunction() {
    this(System::getenv, S3Client.create(), KmsClient.create());
  }

  KeyLifecycleBatchFunction(Function<String, String> env, S3Client s3, KmsClient kms) {
    String operation = value(env, "ENVELOPE_OPERATION", "inventory").toLowerCase(Locale.ROOT);
    if (operation.equals("inventory")) {
      this.handler = KeyLifecycleBatchHandler.inventory(s3);
      return;
    }
    List<String> from = list(env, "ENVELOPE_FROM_KEYS");
    List<String> to = list(env, "ENVELOPE_TO_KEYS");
    if (to.isEmpty()) {
      throw new IllegalStateException("ENVELOPE_TO_KEYS names no KMS key to wrap under (operation " + operation + ")");
    }
    boolean s3ec = Boolean.parseBoolean(value(env, "ENVELOPE_S3EC", "false"));
    EncryptingS3ClientBuilder client = EncryptingS3Client.builder().wrappedClient(s3).keyring(from.isEmpty()
        ? KmsDiscoveryKeyring.builder().kmsClient(kms).build() : keyrings(kms, from, false));
    from.forEach(arn -> client.s3ecKeyring(KmsS3ecKeyring.create(kms, arn)));
    RekeyMethod method = RekeyMethod.valueOf(value(env, "ENVELOPE_REKEY_METHOD", "reencrypt")
        .toUpperCase(Locale.ROOT));
    ObjectRekeyer.Builder rekeyer = ObjectRekeyer.builder().client(client.build())
        .newWrappingKeys(keyrings(kms, to, method == RekeyMethod.HEADER)).method(method).onlyFrom(Set.copyOf(from));
    switch (operation) {
      case "rekey" -> {
        if (s3ec) {
          rekeyer.newS3ecKeyring(KmsS3ecKeyring.create(kms, to.get(0)));
        }
      }
      case "migrate" -> rekeyer.rekeyFramed(false).migrateS3ec(true).migratePlaintext(s3ec);
      default -> throw new IllegalStateException("ENVELOPE_OPERATION is inventory, rekey or migrate, not '"
          + operation + "'");
    }
    this.handler = KeyLifecycleBatchHandler.rekey(s3, rekeyer.build());
  }

  @Override
  public S3BatchResponse handleRequest(S3BatchEventV2 event, Context context) {
    return handler.handleSchema2(event, context);
  }

  KeyLifecycleBatchHandler handler() {
    return handler;
  }

  /** The first key generates when a data key is made; for a header re-key none may (the key exists). */
  private static Keyring keyrings(KmsClient kms, List<String> arns, boolean wrapOnly) {
    List<Keyring> all = new ArrayList<>();
    arns.forEach(arn -> all.add(KmsKeyring.create(kms, arn)));
    if (all.size() == 1) {
      return all.get(0);
    }
    return wrapOnly ? MultiKeyring.ofChildren(all) : MultiKeyring.create(all.get(0), all.subList(1, all.size()));
  }

  private static String value(Function<String, String> env, String name, String otherwise) {
    String v = env.apply(name);
    return v == null || v.isBlank() ? otherwise : v.strip();
  }

  private static List<String> list(Function<String, String> env, String name) {
    String v = env.apply(name);
    return v == null || v.isBlank() ? List.of()
        : Arrays.stream(v.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }
}
