/**
 * Keyrings: the wrapping keys of envelope encryption. Raw AES and RSA keyrings hold keys locally; the
 * {@link dev.envelope.core.keyring.MultiKeyring} combines keyrings. Null rules as in {@link dev.envelope.core}.
 */
package dev.envelope.core.keyring;
