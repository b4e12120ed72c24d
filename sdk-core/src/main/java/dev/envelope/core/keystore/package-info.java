/**
 * Branch key stores for the {@link dev.envelope.core.keyring.HierarchicalKeyring}: the {@link
 * dev.envelope.core.keystore.BranchKeyStore} interface and what it returns. Null rules as in {@link
 * dev.envelope.core}.
 */
package dev.envelope.core.keystore;
