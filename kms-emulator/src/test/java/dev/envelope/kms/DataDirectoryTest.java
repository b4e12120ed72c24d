package dev.envelope.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.GrantOperation;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.KeyUsageType;
import software.amazon.awssdk.services.kms.model.NotFoundException;

/** State in a data directory survives a restart; secrets in it are sealed under the root key. */
class DataDirectoryTest {
  private static final Principal APP = Principal.role(KmsEmulator.DEFAULT_ACCOUNT, "app");
  private final MutableClock clock = new MutableClock();

  @TempDir
  Path dir;

  private KmsEmulator start() {
    return KmsEmulator.builder().clock(clock).dataDirectory(dir).build();
  }

  @Test
  void anAwsManagedKeyCreatedByAReadSurvivesARestartAsOne() {
    String keyId;
    software.amazon.awssdk.core.SdkBytes ciphertext;
    try (KmsEmulator kms = start()) {
      keyId = kms.client().describeKey(b -> b.keyId("alias/aws/s3")).keyMetadata().keyId();
      ciphertext = kms.client().encrypt(b -> b.keyId(keyId).plaintext(software.amazon.awssdk.core.SdkBytes
          .fromUtf8String("kept"))).ciphertextBlob();
    }
    try (KmsEmulator kms = start()) {
      var metadata = kms.client().describeKey(b -> b.keyId("alias/aws/s3")).keyMetadata();
      org.junit.jupiter.api.Assertions.assertEquals(keyId, metadata.keyId(), "not created a second time");
      org.junit.jupiter.api.Assertions.assertEquals("AWS", metadata.keyManagerAsString());
      org.junit.jupiter.api.Assertions.assertEquals("kept", kms.client().decrypt(b -> b.ciphertextBlob(ciphertext))
          .plaintext().asUtf8String());
    }
  }

  @Test
  void everyKindOfStateSurvivesARestart() throws Exception {
    String symmetric;
    String rotated;
    String signing;
    String pending;
    String mrk;
    String grantToken;
    SdkBytes beforeRotation;
    SdkBytes fromPrimary;
    SdkBytes signature;
    try (KmsEmulator first = start()) {
      KmsClient kms = first.client();
      symmetric = kms.createKey(b -> b.description("orders").tags(t -> t.tagKey("team").tagValue("shop")))
          .keyMetadata().arn();
      kms.createAlias(b -> b.aliasName("alias/orders").targetKeyId(symmetric));
      grantToken = kms.createGrant(b -> b.keyId(symmetric).granteePrincipal(APP.arn())
          .operations(GrantOperation.DECRYPT)).grantToken();
      rotated = kms.createKey(b -> { }).keyMetadata().arn();
      beforeRotation = kms.encrypt(b -> b.keyId(rotated).plaintext(SdkBytes.fromUtf8String("v1"))
          .encryptionContext(Map.of("k", "v"))).ciphertextBlob();
      kms.enableKeyRotation(b -> b.keyId(rotated).rotationPeriodInDays(90));
      kms.rotateKeyOnDemand(b -> b.keyId(rotated));
      signing = kms.createKey(b -> b.keySpec("ECC_SECG_P256K1").keyUsage(KeyUsageType.SIGN_VERIFY)).keyMetadata()
          .arn();
      signature = kms.sign(b -> b.keyId(signing).message(SdkBytes.fromUtf8String("m"))
          .signingAlgorithm("ECDSA_SHA_256")).signature();
      pending = kms.createKey(b -> { }).keyMetadata().arn();
      kms.scheduleKeyDeletion(b -> b.keyId(pending).pendingWindowInDays(7));
      mrk = kms.createKey(b -> b.multiRegion(true)).keyMetadata().arn();
      String key = mrk;
      kms.replicateKey(b -> b.keyId(key).replicaRegion("eu-west-1"));
      fromPrimary = kms.encrypt(b -> b.keyId(key).plaintext(SdkBytes.fromUtf8String("mrk"))).ciphertextBlob();
    }

    try (KmsEmulator second = start()) {
      KmsClient kms = second.client();
      var metadata = kms.describeKey(b -> b.keyId("alias/orders")).keyMetadata();
      assertEquals(symmetric, metadata.arn());
      assertEquals("orders", metadata.description());
      assertEquals("shop", kms.listResourceTags(b -> b.keyId(symmetric)).tags().get(0).tagValue());
      assertEquals(1, kms.listGrants(b -> b.keyId(symmetric)).grants().size());
      kms.retireGrant(b -> b.grantToken(grantToken)); // the token is still known after the restart
      assertEquals(0, kms.listGrants(b -> b.keyId(symmetric)).grants().size());

      assertEquals("v1", kms.decrypt(b -> b.ciphertextBlob(beforeRotation).encryptionContext(Map.of("k", "v")))
          .plaintext().asUtf8String());
      assertEquals(2, kms.listKeyRotations(b -> b.keyId(rotated).includeKeyMaterial("ALL_KEY_MATERIAL"))
          .rotations().size());
      assertEquals(90, kms.getKeyRotationStatus(b -> b.keyId(rotated)).rotationPeriodInDays());
      assertTrue(kms.verify(b -> b.keyId(signing).message(SdkBytes.fromUtf8String("m")).signature(signature)
          .signingAlgorithm("ECDSA_SHA_256")).signatureValid());
      assertEquals(KeyState.PENDING_DELETION, kms.describeKey(b -> b.keyId(pending)).keyMetadata().keyState());
      KmsClient europe = second.client(Principal.root(KmsEmulator.DEFAULT_ACCOUNT), Region.EU_WEST_1);
      assertEquals("mrk", europe.decrypt(b -> b.ciphertextBlob(fromPrimary)).plaintext().asUtf8String());

      // The deletion window ends while the second emulator runs: the key is gone from the directory too.
      clock.advance(Duration.ofDays(7));
      assertThrows(NotFoundException.class, () -> kms.describeKey(b -> b.keyId(pending)));
    }
    try (KmsEmulator third = start()) {
      assertThrows(NotFoundException.class, () -> third.client().describeKey(b -> b.keyId(pending)));
      // orders, rotated, signing and the multi-Region primary in us-east-1

      assertEquals(4, third.client().listKeys(b -> { }).keys().size());
    }
  }

  @Test
  void keyMaterialIsSealedAndAReplacedRootKeyIsAClearError() throws Exception {
    byte[] material = new byte[32];
    for (int i = 0; i < material.length; i++) {
      material[i] = (byte) (i * 7 + 3);
    }
    String seed = "{\"keys\":[{\"keyId\":\"11111111-2222-3333-4444-555555555555\",\"material\":\""
        + Base64.getEncoder().encodeToString(material) + "\"}]}";
    try (KmsEmulator kms = KmsEmulator.builder().clock(clock).dataDirectory(dir).config(seed).build()) {
      assertEquals(1, kms.client().listKeys(b -> { }).keys().size());
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(".json")).toList()) {
        String text = Files.readString(f);
        assertFalse(text.contains(Base64.getEncoder().encodeToString(material)), f + " holds the material");
        assertFalse(text.contains(java.util.HexFormat.of().formatHex(material)), f + " holds the material");
        assertTrue(!f.getParent().getFileName().toString().equals("material") || text.contains("sealedSecret"), f
            + " has no sealed material");
      }
    }
    Files.write(dir.resolve("root.key"), new byte[32]);
    IllegalStateException e = assertThrows(IllegalStateException.class, this::start);
    assertTrue(e.getMessage().contains("does not open under " + dir.resolve("root.key")), e.getMessage());
    Files.write(dir.resolve("root.key"), new byte[5]);
    e = assertThrows(IllegalStateException.class, this::start);
    assertTrue(e.getMessage().contains("must hold exactly 32 bytes"), e.getMessage());
  }
}
