/**
 * Audit events, one per key use, and the sinks that record them. Null rules as in {@link dev.envelope.core}.
 */
package dev.envelope.core.audit;
