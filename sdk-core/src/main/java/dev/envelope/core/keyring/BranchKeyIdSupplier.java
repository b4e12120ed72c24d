package dev.envelope.core.keyring;

import java.util.Map;

/**
 * Chooses the branch key of a message from its encryption context, for a {@link HierarchicalKeyring} that serves
 * many tenants: called with the materials' context on encrypt and on decrypt, as the AWS library's
 * {@code IBranchKeyIdSupplier} is. Must be thread-safe, and should throw an exception that names the missing or
 * unknown tenant (without echoing other context values) when it cannot choose.
 */
@FunctionalInterface
public interface BranchKeyIdSupplier {
  String branchKeyId(Map<String, String> encryptionContext);
}
