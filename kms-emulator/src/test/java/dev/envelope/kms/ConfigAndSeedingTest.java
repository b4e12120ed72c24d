package dev.envelope.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.KmsException;

/** The configuration file: principals by access key, IAM policies, and keys seeded with fixed ids and material. */
class ConfigAndSeedingTest {
  private static final String KEY_ID = "0b1e2d3c-4a5b-4c6d-8e7f-901234567890";
  private static final String MRK_ID = "mrk-0123456789abcdef0123456789abcdef";
  private static final String MATERIAL = Base64.getEncoder().encodeToString(
      "a fixed 32-byte key for the demo".getBytes());
  private static final String CONFIG = """
      {
        "defaultAccount": "111122223333",
        "enforceAuthorization": true,
        "principals": [
          {"arn": "arn:aws:iam::111122223333:role/orders-app",
           "credentials": [{"accessKeyId": "AKIAORDERSAPP", "secretAccessKey": "s"}],
           "iamPolicies": [{"Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}]},
          {"arn": "arn:aws:iam::111122223333:role/reporting",
           "credentials": [{"accessKeyId": "AKIAREPORTING", "secretAccessKey": "s"}],
           "iamPolicies": [{"Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}]}
        ],
        "keys": [
          {"keyId": "%s", "description": "orders", "aliases": ["alias/orders"], "material": "%s",
           "policy": {"Statement": [
             {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*",
              "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:root"}}},
             {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/orders-app"},
              "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*"}]}},
          {"keyId": "%s", "multiRegion": true, "replicaRegions": ["eu-west-1"], "rotationPeriodDays": 180}
        ]
      }
      """.formatted(KEY_ID, MATERIAL, MRK_ID);

  @TempDir
  Path dir;

  private static KmsClient overHttp(KmsHttpServer server, String accessKeyId) {
    return overHttp(server, accessKeyId, "s");
  }

  private static KmsClient overHttp(KmsHttpServer server, String accessKeyId, String secret) {
    return KmsClient.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1)
        .httpClient(UrlConnectionHttpClient.create())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secret)))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }

  @Test
  void accessKeysMapToPrincipalsAndTheSeededKeyPolicyDecides() throws Exception {
    Path file = dir.resolve("kms.json");
    Files.writeString(file, CONFIG);
    try (KmsEmulator kms = KmsEmulator.builder().config(file).build()) {
      KmsHttpServer server = kms.startHttpServer(0);
      KmsClient orders = overHttp(server, "AKIAORDERSAPP");
      SdkBytes ciphertext = orders.encrypt(b -> b.keyId("alias/orders").plaintext(SdkBytes.fromUtf8String("o")))
          .ciphertextBlob();
      assertEquals("arn:aws:kms:us-east-1:111122223333:key/" + KEY_ID,
          orders.decrypt(b -> b.ciphertextBlob(ciphertext)).keyId());
      KmsException denied = assertThrows(KmsException.class, () -> overHttp(server, "AKIAREPORTING")
          .decrypt(b -> b.ciphertextBlob(ciphertext)));
      assertEquals("AccessDeniedException", denied.awsErrorDetails().errorCode());
      assertTrue(denied.getMessage().contains("arn:aws:iam::111122223333:role/reporting is not authorized to "
          + "perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:111122223333:key/" + KEY_ID),
          denied.getMessage());
      KmsException unknown = assertThrows(KmsException.class, () -> overHttp(server, "AKIAUNKNOWN")
          .generateRandom(b -> b.numberOfBytes(8)));
      assertEquals("UnrecognizedClientException", unknown.awsErrorDetails().errorCode());
      KmsException forged = assertThrows(KmsException.class, () -> overHttp(server, "AKIAORDERSAPP", "guessed")
          .decrypt(b -> b.ciphertextBlob(ciphertext)));
      assertEquals("InvalidSignatureException", forged.awsErrorDetails().errorCode());
      assertEquals(400, forged.statusCode());
      java.net.HttpURLConnection unsigned = (java.net.HttpURLConnection) server.endpoint().toURL().openConnection();
      unsigned.setRequestMethod("POST");
      unsigned.setDoOutput(true);
      unsigned.setRequestProperty("X-Amz-Target", "TrentService.ListKeys");
      unsigned.setRequestProperty("Content-Type", "application/x-amz-json-1.1");
      unsigned.getOutputStream().write("{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      assertEquals(400, unsigned.getResponseCode());
      assertEquals("{\"__type\":\"MissingAuthenticationTokenException\",\"message\":\"Missing Authentication Token\"}",
          new String(unsigned.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  @Test
  void enforcedAuthorizationNeedsASecretForEveryAccessKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KmsEmulator.builder().config("""
        {"enforceAuthorization": true, "principals": [
          {"arn": "arn:aws:iam::000000000000:role/app", "accessKeyIds": ["AKIANOSECRET"]}]}""").build());
    assertTrue(e.getMessage().contains("[AKIANOSECRET] have none"), e.getMessage());
    assertTrue(e.getMessage().contains("\"credentials\": [{\"accessKeyId\", \"secretAccessKey\"}]"), e.getMessage());
    try (KmsEmulator open = KmsEmulator.create()) {
      open.registerAccessKey("AKIAOPEN", Principal.role("000000000000", "app"));
    }
    try (KmsEmulator enforced = KmsEmulator.builder().enforceAuthorization(true).build()) {
      IllegalStateException refused = assertThrows(IllegalStateException.class,
          () -> enforced.registerAccessKey("AKIA1", Principal.role("000000000000", "app")));
      assertTrue(refused.getMessage().contains("registerCredentials"), refused.getMessage());
    }
  }

  @Test
  void seededMaterialIsDeterministicTwoEmulatorsFromOneFileShareCiphertexts() {
    SdkBytes ciphertext;
    try (KmsEmulator a = KmsEmulator.builder().config(CONFIG).enforceAuthorization(false).build()) {
      ciphertext = a.client().encrypt(b -> b.keyId("alias/orders").plaintext(SdkBytes.fromUtf8String("same")))
          .ciphertextBlob();
      var mrk = a.client().describeKey(b -> b.keyId(MRK_ID)).keyMetadata();
      assertEquals("eu-west-1", mrk.multiRegionConfiguration().replicaKeys().get(0).region());
      assertEquals(180, a.client().getKeyRotationStatus(b -> b.keyId(MRK_ID)).rotationPeriodInDays());
    }
    try (KmsEmulator b = KmsEmulator.builder().config(CONFIG).enforceAuthorization(false).build()) {
      assertEquals("same", b.client().decrypt(r -> r.ciphertextBlob(ciphertext)).plaintext().asUtf8String());
      KmsClient europe = b.client(Principal.root("111122223333"), Region.EU_WEST_1);
      assertEquals(KeyState.ENABLED, europe.describeKey(r -> r.keyId(MRK_ID)).keyMetadata().keyState());
    }
  }

  @Test
  void seedingNeverOverwritesStateKeptInTheDataDirectory() {
    try (KmsEmulator first = KmsEmulator.builder().config(CONFIG).enforceAuthorization(false).dataDirectory(dir)
        .build()) {
      first.client().disableKey(b -> b.keyId(KEY_ID));
    }
    try (KmsEmulator second = KmsEmulator.builder().config(CONFIG).enforceAuthorization(false).dataDirectory(dir)
        .build()) {
      assertEquals(KeyState.DISABLED, second.client().describeKey(b -> b.keyId(KEY_ID)).keyMetadata().keyState());
    }
  }

  @Test
  void configurationMistakesAreErrorsThatNameThem() {
    var typo = assertThrows(IllegalArgumentException.class,
        () -> KmsEmulator.builder().config("{\"enforceAuthorisation\": true}"));
    assertTrue(typo.getMessage().contains("unknown configuration member 'enforceAuthorisation'"), typo.getMessage());
    var badId = assertThrows(IllegalArgumentException.class,
        () -> KmsEmulator.builder().config("{\"keys\": [{\"keyId\": \"orders\"}]}").build());
    assertTrue(badId.getMessage().startsWith("seed keys[0] (orders): keyId must be a UUID"), badId.getMessage());
    var badMaterial = assertThrows(IllegalArgumentException.class, () -> KmsEmulator.builder()
        .config("{\"keys\": [{\"keyId\": \"" + KEY_ID + "\", \"material\": \"AAAA\"}]}").build());
    assertTrue(badMaterial.getMessage().contains("must be 256 bits"), badMaterial.getMessage());
    var badPolicy = assertThrows(IllegalArgumentException.class, () -> KmsEmulator.builder()
        .config("{\"keys\": [{\"keyId\": \"" + KEY_ID + "\", \"policy\": {\"Version\": \"2012-10-17\"}}]}").build());
    assertTrue(badPolicy.getMessage().contains("The policy has no Statement."), badPolicy.getMessage());
    assertThrows(IllegalArgumentException.class, () -> KmsEmulator.builder().config("[1, 2]"));
  }
}
