package dev.envelope.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.AlgorithmSuite;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.itemencryptor.DynamoDbItemEncryptor;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.itemencryptor.model.DecryptItemInput;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.itemencryptor.model.DynamoDbItemEncryptorConfig;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.itemencryptor.model.EncryptItemInput;
import software.amazon.cryptography.dbencryptionsdk.structuredencryption.model.CryptoAction;
import software.amazon.cryptography.materialproviders.IKeyring;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.AesWrappingAlg;
import software.amazon.cryptography.materialproviders.model.CreateRawAesKeyringInput;
import software.amazon.cryptography.materialproviders.model.DBEAlgorithmSuiteId;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;

/**
 * The AWS Database Encryption SDK 3.9.0 as a peer, not a format to match: the same item, the same actions and the
 * same raw AES wrapping key, encrypted by both; the stored sizes and the attributes each adds, side by side. The
 * table is written to target/dbesdk-comparison.md (copied into the module README).
 */
class DbEsdkPeerTest {
  private static final String TABLE = "Orders";

  @Test
  void sameItemEncryptedByBothSideBySide() throws IOException {
    Map<String, AttributeValue> item = TestItems.everyType("alice", 1);
    long plain = ItemSize.of(item);
    StringBuilder report = new StringBuilder()
        .append("| suite | library | stored item (bytes) | overhead (bytes) | attributes added |\n")
        .append("|---|---|---:|---:|---|\n");
    String[][] pairs = {
        {"AES_256_GCM_HKDF_SHA512_COMMIT_KEY", "ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_SYMSIG_HMAC_SHA384"},
        {"AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384",
            "ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384_SYMSIG_HMAC_SHA384"}};
    for (String[] pair : pairs) {
      ItemEncryptor ours = ItemEncryptor.create(TestItems.config(TABLE, DdbTestParts.aesKeyring())
          .suite(AlgorithmSuite.valueOf(pair[0])).build());
      DynamoDbItemEncryptor theirs = dbEsdk(DBEAlgorithmSuiteId.valueOf(pair[1]));

      Map<String, AttributeValue> oursStored = ours.encrypt(item);
      Map<String, AttributeValue> theirsStored = theirs.EncryptItem(EncryptItemInput.builder().plaintextItem(item)
          .build()).encryptedItem();
      assertEquals(TestItems.normalized(item), ours.decrypt(oursStored));
      assertEquals(TestItems.normalized(item), TestItems.normalized(theirs.DecryptItem(DecryptItemInput.builder()
          .encryptedItem(theirsStored).build()).plaintextItem()));

      long oursSize = ItemSize.of(oursStored);
      long theirsSize = ItemSize.of(theirsStored);
      report.append(row(pair[0], "Envelope", oursStored, item, oursSize, plain))
          .append(row(pair[1], "DB-ESDK 3.9.0", theirsStored, item, theirsSize, plain));
      assertTrue(oursSize <= theirsSize, pair[0] + ": ours " + oursSize + " bytes, theirs " + theirsSize);
    }
    report.append("\nPlaintext item: ").append(plain).append(" bytes, ").append(item.size())
        .append(" attributes (10 encrypted, 3 signed only, 1 unsigned).\n");
    Path out = Path.of("target", "dbesdk-comparison.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);
    System.out.println(report);
  }

  private static String row(String suite, String library, Map<String, AttributeValue> stored,
      Map<String, AttributeValue> plain, long size, long plainSize) {
    TreeSet<String> added = new TreeSet<>(stored.keySet());
    added.removeAll(plain.keySet());
    StringBuilder detail = new StringBuilder();
    for (String name : added) {
      detail.append(detail.length() == 0 ? "" : ", ").append(name).append(" (")
          .append(stored.get(name).b().asByteArrayUnsafe().length).append(" B)");
    }
    long encryptedValues = 0;
    long encryptedPlain = 0;
    for (String name : plain.keySet()) {
      if (stored.get(name).type() == AttributeValue.Type.B && plain.get(name).type() != AttributeValue.Type.B) {
        encryptedValues += ItemSize.of(stored.get(name));
        encryptedPlain += ItemSize.of(plain.get(name));
      }
    }
    return "| " + suite + " | " + library + " | " + size + " | " + (size - plainSize) + " | " + detail
        + "; encrypted values +" + (encryptedValues - encryptedPlain) + " B |\n";
  }

  private static DynamoDbItemEncryptor dbEsdk(DBEAlgorithmSuiteId suite) {
    MaterialProviders mpl = MaterialProviders.builder().MaterialProvidersConfig(MaterialProvidersConfig.builder()
        .build()).build();
    IKeyring keyring = mpl.CreateRawAesKeyring(CreateRawAesKeyringInput.builder().keyNamespace("ddb-tests")
        .keyName("aes-1").wrappingKey(ByteBuffer.wrap(DdbTestParts.AES_KEY))
        .wrappingAlg(AesWrappingAlg.ALG_AES256_GCM_IV12_TAG16).build());
    Map<String, CryptoAction> actions = new HashMap<>();
    TestItems.config(TABLE, DdbTestParts.aesKeyring()).build().attributeActions().forEach((name, action) ->
        actions.put(name, CryptoAction.valueOf(action.name())));
    return DynamoDbItemEncryptor.builder().DynamoDbItemEncryptorConfig(DynamoDbItemEncryptorConfig.builder()
        .logicalTableName(TABLE).partitionKeyName("pk").sortKeyName("sk")
        .attributeActionsOnEncrypt(actions).allowedUnsignedAttributePrefix("_")
        .keyring(keyring).algorithmSuiteId(suite).build()).build();
  }
}
