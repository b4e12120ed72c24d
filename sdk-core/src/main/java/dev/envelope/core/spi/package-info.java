/**
 * What Envelope's own adapters (S3, DynamoDB, Lambda) need from the core and applications should not use:
 * {@link dev.envelope.core.spi.AuditRecorder} (the one way audit events are emitted), HKDF, secure randoms, KMS
 * error mapping ({@link dev.envelope.core.spi.KmsErrors}), the byte codec ({@link dev.envelope.core.spi.ByteWriter},
 * {@link dev.envelope.core.spi.ByteReader}, {@link dev.envelope.core.spi.EncryptedDataKeyCodec},
 * {@link dev.envelope.core.spi.EncryptionContextCodec}, strict UTF-8) and the one stream skeleton
 * ({@link dev.envelope.core.spi.ChunkInputStream}).
 *
 * <p>Public so that modules need not reach into {@code dev.envelope.core.internal} (a test fails when any module
 * imports another module's {@code internal} package), but not a stable API: like the AWS SDK's
 * {@code @SdkProtectedApi}, it may change in any release. Applications use {@code dev.envelope.core} and its other
 * public sub-packages.
 */
package dev.envelope.core.spi;
