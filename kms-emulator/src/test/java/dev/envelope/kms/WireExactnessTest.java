package dev.envelope.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.AlreadyExistsException;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.kms.model.Tag;

/**
 * What no SDK sends but other clients do, on both faces (the HTTP server, and {@link KmsEmulator#serve}, the path
 * the in-process client takes): JSON the KMS deserializer refuses; and LocalStack's CreateKey tags.
 */
class WireExactnessTest {
  private static final String ENCRYPT =
      "{\"KeyId\":\"%s\",\"Plaintext\":\"aGk=\",\"EncryptionContext\":{\"tenant\":%s}}";

  @Test
  void anEncryptionContextValueThatIsNotAStringIsASerializationException() throws IOException {
    try (KmsEmulator kms = KmsEmulator.create()) {
      String key = kms.client().createKey(b -> { }).keyMetadata().arn();
      KmsHttpServer server = kms.startHttpServer(0);
      for (String value : new String[] {"7", "true", "{\"a\":\"b\"}", "[\"a\"]", "null"}) {
        String body = ENCRYPT.formatted(key, value);
        KmsEmulator.WireResponse inProcess = kms.serve("TrentService.Encrypt", body.getBytes(StandardCharsets.UTF_8),
            null, Principal.root(KmsEmulator.DEFAULT_ACCOUNT), "127.0.0.1", "test");
        assertEquals(400, inProcess.status(), value);
        String answer = new String(inProcess.body(), StandardCharsets.UTF_8);
        assertTrue(answer.contains("\"__type\":\"SerializationException\""), value + ": " + answer);
        HttpURLConnection http = (HttpURLConnection) server.endpoint().toURL().openConnection();
        http.setRequestMethod("POST");
        http.setDoOutput(true);
        http.setRequestProperty("X-Amz-Target", "TrentService.Encrypt");
        http.setRequestProperty("Content-Type", "application/x-amz-json-1.1");
        http.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
        assertEquals(400, http.getResponseCode(), value);
        assertTrue(new String(http.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)
            .contains("\"__type\":\"SerializationException\""), value);
      }
      String ok = ENCRYPT.formatted(key, "\"a\"");
      assertEquals(200, kms.serve("TrentService.Encrypt", ok.getBytes(StandardCharsets.UTF_8), null,
          Principal.root(KmsEmulator.DEFAULT_ACCOUNT), "127.0.0.1", "test").status());
    }
  }

  private static Tag tag(String key, String value) {
    return Tag.builder().tagKey(key).tagValue(value).build();
  }

  @Test
  void localStackTagsSetTheIdAndMaterialAndAreNotKept() {
    byte[] material = new byte[32];
    new java.security.SecureRandom().nextBytes(material);
    String id = "0c3e6a1f-8d2b-4e5a-9f7c-1b2d3e4f5a6b";
    Tag[] tags = {tag("_custom_id_", id), tag("_custom_key_material_", Base64.getEncoder().encodeToString(material)),
        tag("team", "payments")};
    SdkBytes ciphertext;
    try (KmsEmulator first = KmsEmulator.builder().localStackConventions(true).build()) {
      KmsClient kms = first.client();
      assertEquals(id, kms.createKey(b -> b.tags(tags)).keyMetadata().keyId());
      assertEquals(java.util.List.of(tag("team", "payments")), kms.listResourceTags(b -> b.keyId(id)).tags());
      ciphertext = kms.encrypt(b -> b.keyId(id).plaintext(SdkBytes.fromUtf8String("same material"))).ciphertextBlob();
      String encoded = Base64.getEncoder().encodeToString(material);
      assertTrue(first.trail().stream().noneMatch(record -> record.toString().contains(encoded)),
          "the material of the tag is in no CloudTrail record");
      AlreadyExistsException twice = org.junit.jupiter.api.Assertions.assertThrows(AlreadyExistsException.class,
          () -> kms.createKey(b -> b.tags(tag("_custom_id_", id))));
      assertTrue(twice.getMessage().contains(id), twice.getMessage());
      KmsException badMaterial = org.junit.jupiter.api.Assertions.assertThrows(KmsException.class,
          () -> kms.createKey(b -> b.tags(tag("_custom_key_material_", "bm90IDMyIGJ5dGVz"))));
      assertTrue(badMaterial.getMessage().contains("does not fit key spec SYMMETRIC_DEFAULT"),
          badMaterial.getMessage());
      assertEquals("custom-name", kms.createKey(b -> b.tags(tag("_custom_id_", "custom-name"))).keyMetadata()
          .keyId(), "LocalStack takes ids that do not look like KMS's");
      assertEquals("arn:aws:kms:us-east-1:000000000000:key/custom-name", kms.describeKey(b -> b.keyId("custom-name"))
          .keyMetadata().arn());
    }
    try (KmsEmulator second = KmsEmulator.builder().localStackConventions(true).build()) {
      second.client().createKey(b -> b.tags(tags));
      assertEquals("same material", second.client().decrypt(b -> b.ciphertextBlob(ciphertext)).plaintext()
          .asUtf8String(), "another emulator with the same tags decrypts: the material was taken");
    }
    try (KmsEmulator kms = KmsEmulator.create()) {
      String plainId = kms.client().createKey(b -> b.tags(tags)).keyMetadata().keyId();
      assertTrue(!plainId.equals(id), "without the conventions, KMS's behaviour: the tags are only tags");
      assertEquals(3, kms.client().listResourceTags(b -> b.keyId(plainId)).tags().size());
    }
  }
}
