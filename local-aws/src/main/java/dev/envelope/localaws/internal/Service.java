package dev.envelope.localaws.internal;

/** What the front door does with a request. */
public enum Service {
  /** LocalStack's {@code /_localstack/...} readiness and information endpoints. */
  LOCALSTACK_INTERNAL,
  KMS,
  DYNAMODB,
  S3,
  STS,
  /** A service the endpoint does not emulate: answered with an error in that service's protocol. */
  NOT_EMULATED
}
