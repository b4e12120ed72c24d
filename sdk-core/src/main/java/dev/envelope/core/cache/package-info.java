/**
 * Data-key caching within the AWS Encryption SDK's limits. Null rules as in {@link dev.envelope.core}.
 */
package dev.envelope.core.cache;
