/**
 * What Envelope's own adapters (S3, DynamoDB, Lambda) need from the core and applications should not use: the
 * audit recorder, HKDF, secure randoms, the encryption-context codec and strict UTF-8 decoding. Public so that
 * modules need not reach into {@code dev.envelope.core.internal} (a test fails when any module imports another
 * module's {@code internal} package), but not a stable API: like the AWS SDK's {@code @SdkProtectedApi}, it may
 * change in any release. Applications use {@code dev.envelope.core} and its public sub-packages.
 */
package dev.envelope.core.spi;
