/**
 * Envelope encryption in the AWS Encryption SDK message format: {@link dev.envelope.core.Envelope} is the entry
 * point; the exceptions here are everything it throws.
 *
 * <p>Nothing in this package and its sub-packages accepts or returns null unless the javadoc says so; absent
 * values are {@link java.util.Optional} returns. Null arguments fail fast with {@link NullPointerException}.
 * Types are immutable and thread-safe unless their javadoc says otherwise (the streams are not). Packages named
 * {@code internal} are not API and change without notice.
 */
package dev.envelope.core;
