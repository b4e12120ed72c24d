package dev.envelope.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.envelope.core.keyring.Keyring;
import dev.envelope.core.keyring.MultiKeyring;
import dev.envelope.core.keyring.RawAesKeyring;
import dev.envelope.core.keyring.RawRsaKeyring;
import dev.envelope.core.keyring.RsaPadding;
import dev.envelope.core.materials.CryptoMaterialsManager;
import dev.envelope.core.materials.DefaultMaterialsManager;
import dev.envelope.core.materials.RequiredEncryptionContextMaterialsManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * Runs the public AWS Encryption SDK decrypt vectors (awslabs/aws-encryption-sdk-test-vectors, Apache-2.0):
 * every raw-key vector must decrypt to its plaintext, one-shot and streaming; failures are collected with the
 * vector id and asserted once.
 */
class EsdkTestVectorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void v4Net401AllRawKeyVectorsDecrypt() throws Exception {
    Result r = runDecryptManifest(TestVectorFiles.directory().resolve("v4-Net-4.0.1.zip"));
    assertEquals(List.of(), r.failures);
    assertEquals(99, r.passed, "raw-key vectors decrypted");
    assertEquals(33, r.skippedKms, "KMS vectors skipped (they need real AWS KMS)");
  }

  @Test
  void validNet400AllVectorsDecrypt() throws Exception {
    Result r = runDecryptManifest(TestVectorFiles.directory().resolve("valid-Net-4.0.0.zip"));
    assertEquals(List.of(), r.failures);
    assertEquals(5, r.passed);
  }

  @Test
  void commitmentVectorsGoodDecryptAndBadFail() throws Exception {
    JsonNode tests = JSON.readTree(TestVectorFiles.directory().resolve("commitment-test-vectors.json").toFile())
        .get("tests");
    List<String> failures = new ArrayList<>();
    int good = 0;
    int bad = 0;
    for (int i = 0; i < tests.size(); i++) {
      JsonNode t = tests.get(i);
      String id = "#" + (i + 1) + " " + t.path("comment").asText();
      byte[] message = Base64.getDecoder().decode(t.get("ciphertext").asText());
      Envelope envelope = Envelope.builder()
          .keyring(new StaticKeyring(Base64.getDecoder().decode(t.get("decrypted-dek").asText())))
          .build();
      StringBuilder expected = new StringBuilder();
      t.path("plaintext-frames").forEach(f -> expected.append(f.asText()));
      if (t.get("status").asBoolean()) {
        good++;
        try {
          byte[] plaintext = envelope.decrypt(message).plaintext();
          if (!expected.toString().equals(new String(plaintext, StandardCharsets.UTF_8))) {
            failures.add(id + ": wrong plaintext");
          }
          byte[] streamed = envelope.decryptingStream(new java.io.ByteArrayInputStream(message)).readAllBytes();
          if (!expected.toString().equals(new String(streamed, StandardCharsets.UTF_8))) {
            failures.add(id + ": wrong plaintext (stream)");
          }
        } catch (RuntimeException e) {
          failures.add(id + ": " + e);
        }
      } else {
        bad++;
        try {
          envelope.decrypt(message);
          failures.add(id + ": decrypted but must fail");
        } catch (EnvelopeException expectedFailure) {
          // the vector's point
        }
      }
    }
    assertEquals(List.of(), failures);
    assertEquals(41, good);
    assertEquals(5, bad);
  }

  private record Result(int passed, int skippedKms, List<String> failures) {}

  private static Result runDecryptManifest(Path zipPath) throws Exception {
    try (ZipFile zip = new ZipFile(zipPath.toFile())) {
      JsonNode manifest = JSON.readTree(read(zip, "manifest.json"));
      JsonNode keys = JSON.readTree(read(zip, "keys.json")).get("keys");
      List<String> failures = new ArrayList<>();
      int passed = 0;
      int skipped = 0;
      for (Iterator<Map.Entry<String, JsonNode>> it = manifest.get("tests").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> test = it.next();
        JsonNode t = test.getValue();
        List<Keyring> keyrings = new ArrayList<>();
        boolean needsKms = false;
        for (JsonNode mk : t.get("master-keys")) {
          if (mk.get("type").asText().equals("aws-kms")) {
            needsKms = true;
          } else {
            keyrings.add(keyring(mk, keys.get(mk.get("key").asText())));
          }
        }
        if (needsKms) {
          skipped++;
          continue;
        }
        Map<String, String> context = new HashMap<>();
        t.path("encryption-context").fields().forEachRemaining(e -> context.put(e.getKey(), e.getValue().asText()));
        CryptoMaterialsManager cmm = DefaultMaterialsManager.create(MultiKeyring.ofChildren(keyrings));
        if ("RequiredEncryptionContext".equals(t.path("cmm").asText())) {
          cmm = RequiredEncryptionContextMaterialsManager.create(cmm, context.keySet());
        }
        Envelope envelope = Envelope.builder().materialsManager(cmm)
            .commitmentPolicy(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT).build();
        byte[] message = read(zip, uri(t.get("ciphertext")));
        byte[] expected = read(zip, uri(t.at("/result/output/plaintext")));
        try {
          assertArrayEquals(expected, envelope.decrypt(message, context).plaintext());
          try (InputStream in = envelope.decryptingStream(new java.io.ByteArrayInputStream(message), context)) {
            assertArrayEquals(expected, in.readAllBytes());
          }
          passed++;
        } catch (AssertionError | RuntimeException e) {
          failures.add(test.getKey() + ": " + e);
        }
      }
      assertTrue(passed + skipped > 0, "manifest had no tests");
      return new Result(passed, skipped, failures);
    }
  }

  private static Keyring keyring(JsonNode masterKey, JsonNode key) throws Exception {
    String namespace = masterKey.get("provider-id").asText();
    String name = key.get("key-id").asText();
    String material = key.get("material").asText();
    if (masterKey.get("encryption-algorithm").asText().equals("aes")) {
      return RawAesKeyring.builder().keyNamespace(namespace).keyName(name)
          .wrappingKey(Base64.getDecoder().decode(material)).build();
    }
    RsaPadding padding = switch (masterKey.get("padding-algorithm").asText() + "/"
        + masterKey.path("padding-hash").asText()) {
      case "pkcs1/" -> RsaPadding.PKCS1;
      case "oaep-mgf1/sha1" -> RsaPadding.OAEP_SHA1_MGF1;
      case "oaep-mgf1/sha256" -> RsaPadding.OAEP_SHA256_MGF1;
      case "oaep-mgf1/sha384" -> RsaPadding.OAEP_SHA384_MGF1;
      case "oaep-mgf1/sha512" -> RsaPadding.OAEP_SHA512_MGF1;
      default -> throw new IllegalArgumentException("padding " + masterKey);
    };
    byte[] der = Base64.getMimeDecoder().decode(material.replaceAll("-----[A-Z ]+-----", ""));
    KeyFactory rsa = KeyFactory.getInstance("RSA");
    RawRsaKeyring.Builder b = RawRsaKeyring.builder().keyNamespace(namespace).keyName(name).padding(padding);
    if (key.get("type").asText().equals("private")) {
      b.privateKey(rsa.generatePrivate(new PKCS8EncodedKeySpec(der)));
    } else {
      b.publicKey(rsa.generatePublic(new X509EncodedKeySpec(der)));
    }
    return b.build();
  }

  private static String uri(JsonNode node) {
    return node.asText().replaceFirst("^file://", "");
  }

  private static byte[] read(ZipFile zip, String name) throws IOException {
    var entry = zip.getEntry(name);
    if (entry == null) {
      throw new IOException("no " + name + " in " + zip.getName());
    }
    try (InputStream in = zip.getInputStream(entry)) {
      return in.readAllBytes();
    }
  }

}
