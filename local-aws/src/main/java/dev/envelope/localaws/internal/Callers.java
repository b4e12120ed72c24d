package dev.envelope.localaws.internal;

import dev.envelope.kms.Principal;
import dev.envelope.kms.auth.Credentials;
import dev.envelope.kms.auth.SigV4Verifier;
import java.time.Clock;
import java.time.Duration;

/**
 * Who sent a request. With authorization enforced, the SigV4 signature is verified against the configured secrets
 * (and the session tokens of credentials STS handed out): 15 minutes of clock skew for S3, 5 for the others, as AWS
 * allows. In the open mode (LocalStack's) nothing is verified: a known access key is its principal, any other is
 * the account's administrator. Thread-safe.
 */
public final class Callers {
  static final Duration S3_SKEW = Duration.ofMinutes(15);
  static final Duration SKEW = Duration.ofMinutes(5);

  /** An authenticated caller; {@code verified} is null in the open mode (nothing was checked). */
  public record Caller(Principal principal, String accessKeyId, SigV4Verifier.Verified verified) {}

  private final Credentials credentials;
  private final SigV4Verifier verifier;
  private final boolean enforce;
  private final Principal administrator;

  public Callers(Credentials credentials, boolean enforce, Principal administrator) {
    this.credentials = credentials;
    this.verifier = new SigV4Verifier(credentials::secret, Clock.systemUTC());
    this.enforce = enforce;
    this.administrator = administrator;
  }

  public boolean enforced() {
    return enforce;
  }

  /**
   * The caller of {@code in}, whose payload the signature claims as {@code payloadHash}.
   *
   * @throws dev.envelope.kms.auth.SigV4Exception when authorization is enforced and the signature does not verify
   */
  public Caller authenticate(Incoming in, String payloadHash, boolean s3) {
    if (!enforce) {
      String accessKey = SigV4Verifier.accessKeyId(in.signed(payloadHash, s3));
      Principal principal = credentials.lookup(accessKey).map(Credentials.Entry::principal).orElse(administrator);
      return new Caller(principal, accessKey, null);
    }
    SigV4Verifier.Verified verified = verifier.verify(in.signed(payloadHash, s3), s3 ? S3_SKEW : SKEW);
    Principal principal = credentials.lookup(verified.accessKeyId()).orElseThrow().principal();
    return new Caller(principal, verified.accessKeyId(), verified);
  }
}
