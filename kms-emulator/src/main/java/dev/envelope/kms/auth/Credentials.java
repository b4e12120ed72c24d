package dev.envelope.kms.auth;

import dev.envelope.kms.Principal;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The access keys a server knows: for each access key id, the principal it acts as and, where signatures are
 * verified, its secret (and the session token of temporary credentials). Secrets never leave this class except to
 * the {@link SigV4Verifier}; {@link #toString()} names no secret. Thread-safe.
 */
public final class Credentials {
  /** One access key: who it is and, if known, what it signs with. */
  public record Entry(Principal principal, SigV4Verifier.Secret secret) {
    public Entry {
      Objects.requireNonNull(principal, "principal");
    }
  }

  private final Map<String, Entry> byAccessKey = new ConcurrentHashMap<>();

  /** Requests signed with {@code accessKeyId} act as {@code principal}; {@code secret} may be null (not verifiable). */
  public void register(String accessKeyId, Principal principal, SigV4Verifier.Secret secret) {
    byAccessKey.put(Objects.requireNonNull(accessKeyId, "accessKeyId"), new Entry(principal, secret));
  }

  public Optional<Entry> lookup(String accessKeyId) {
    return accessKeyId == null ? Optional.empty() : Optional.ofNullable(byAccessKey.get(accessKeyId));
  }

  /** The secret of {@code accessKeyId}, or null when the key is unknown or has none: for {@link SigV4Verifier}. */
  public SigV4Verifier.Secret secret(String accessKeyId) {
    Entry entry = accessKeyId == null ? null : byAccessKey.get(accessKeyId);
    return entry == null ? null : entry.secret();
  }

  /** Access keys registered without a secret (their signatures cannot be verified). */
  public java.util.List<String> withoutSecret() {
    return byAccessKey.entrySet().stream().filter(e -> e.getValue().secret() == null).map(Map.Entry::getKey)
        .sorted().toList();
  }

  @Override
  public String toString() {
    return "Credentials[" + byAccessKey.size() + " access keys]";
  }
}
