package dev.envelope.core.keystore;

/**
 * Where the hierarchical keyring gets its branch keys: the AWS key store's reads. A branch key has an active
 * version (what new messages are wrapped under) and every earlier version (what old messages need). The DynamoDB
 * implementation, which also creates and versions keys, is {@code dev.envelope.keystore.DynamoDbBranchKeyStore}
 * in the {@code keystore-dynamodb} module; any other storage may implement this interface.
 *
 * <p>Implementations are thread-safe, authenticate what they return (the AWS store decrypts each item with KMS
 * under a context made of the item's attributes), and never put key bytes in logs or exceptions.
 */
public interface BranchKeyStore {
  /**
   * The logical key store name: bound into every branch key's KMS encryption context, and part of the keyring's
   * cache identifiers. It must name one physical store.
   */
  String logicalKeyStoreName();

  /**
   * The active version of {@code branchKeyId}.
   *
   * @throws BranchKeyStoreException naming the branch key id if it does not exist or cannot be read
   */
  BranchKeyMaterials activeBranchKey(String branchKeyId);

  /**
   * Version {@code version} (a lowercase UUID) of {@code branchKeyId}.
   *
   * @throws BranchKeyStoreException naming the branch key id and version if it does not exist or cannot be read
   */
  BranchKeyMaterials branchKeyVersion(String branchKeyId, String version);
}
