package dev.envelope.mlkem;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPrivateKeyParameters;
import org.junit.jupiter.api.Test;

/**
 * The known-answer vectors this project publishes for the KMS ML-KEM keyring ({@code kat/ml-kem-keyring-kat.json}):
 * for each parameter set, from a key seed, the encapsulation randomness, a key ARN, a salt, a data key and an
 * encryption context, every intermediate value and the EDK. Each vector is recomputed and compared field by field.
 * {@code -Denvelope.mlkem.writeKat=true} rewrites the file (only when the format changes on purpose).
 */
class MlKemKnownAnswerTest {
  static final Path FILE = Path.of("kat", "ml-kem-keyring-kat.json");
  private static final HexFormat HEX = HexFormat.of();
  private static final String ARN = "arn:aws:kms:us-west-2:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab";

  /** A SecureRandom that returns fixed bytes: ML-KEM's encapsulation randomness {@code m}. */
  static final class FixedRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private final byte[] bytes;

    FixedRandom(byte[] bytes) {
      this.bytes = bytes;
    }

    @Override
    public void nextBytes(byte[] out) {
      System.arraycopy(bytes, 0, out, 0, out.length);
    }
  }

  private static byte[] derived(String what, int length) throws Exception {
    byte[] hash = MessageDigest.getInstance("SHA-512").digest(("envelope ml-kem kat " + what)
        .getBytes(StandardCharsets.UTF_8));
    return Arrays.copyOf(hash, length);
  }

  /** Every output of one vector, from its inputs, with ML-KEM from {@code engine}. */
  private static ObjectNode compute(ObjectNode in, MlKemEngine engine) throws Exception {
    MlKemParameterSet set = MlKemParameterSet.valueOf(in.get("parameterSet").asText().replace('-', '_'));
    MLKEMPrivateKeyParameters key = new MLKEMPrivateKeyParameters(set.parameters(),
        HEX.parseHex(in.get("keySeed").asText()));
    byte[] publicKey = BouncyCastleMlKem.encode(key.getPublicKeyParameters());
    MlKem.Encapsulated encapsulated = engine.encapsulationKey(publicKey, set)
        .encapsulate(new FixedRandom(HEX.parseHex(in.get("encapsulationRandomness").asText())));
    byte[] decapsulated = engine.decapsulationKey(BouncyCastleMlKem.encode(key), set)
        .decapsulate(encapsulated.ciphertext());
    if (!Arrays.equals(decapsulated, encapsulated.sharedSecret())) {
      throw new AssertionError(engine.name() + " decapsulates another secret than it encapsulated");
    }
    Map<String, String> context = new TreeMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = in.get("encryptionContext").fields();
    fields.forEachRemaining(f -> context.put(f.getKey(), f.getValue().asText()));
    byte[] keyName = in.get("keyArn").asText().getBytes(StandardCharsets.UTF_8);
    byte[] fixedInfo = MlKemWrapping.fixedInfo(KmsMlKemKeyring.LABEL.getBytes(StandardCharsets.US_ASCII), set,
        keyName, context);
    byte[] salt = HEX.parseHex(in.get("salt").asText());
    byte[] wrappingKey = MlKemWrapping.wrappingKey(encapsulated.sharedSecret(), fixedInfo, salt);
    byte[] edk = MlKemWrapping.seal(encapsulated.ciphertext(), salt, wrappingKey, fixedInfo,
        HEX.parseHex(in.get("dataKey").asText()));
    ObjectNode out = new ObjectMapper().createObjectNode();
    out.put("publicKey", HEX.formatHex(publicKey));
    out.put("kemCiphertext", HEX.formatHex(encapsulated.ciphertext()));
    out.put("sharedSecret", HEX.formatHex(encapsulated.sharedSecret()));
    out.put("fixedInfo", HEX.formatHex(fixedInfo));
    out.put("wrappingKey", HEX.formatHex(wrappingKey));
    out.put("keyProviderId", KmsMlKemKeyring.PROVIDER_ID);
    out.put("keyProviderInfo", HEX.formatHex(MlKemWrapping.providerInfo(keyName)));
    out.put("edkCiphertext", HEX.formatHex(edk));
    return out;
  }

  private static ObjectNode inputs(ObjectMapper json, MlKemParameterSet set, Map<String, String> context, int n)
      throws Exception {
    ObjectNode in = json.createObjectNode();
    in.put("parameterSet", set.standardName());
    in.put("keySeed", HEX.formatHex(derived(set + " seed", 64)));
    in.put("encapsulationRandomness", HEX.formatHex(derived(set + " m " + n, 32)));
    in.put("keyArn", ARN);
    in.put("salt", HEX.formatHex(derived(set + " salt " + n, 32)));
    in.put("dataKey", HEX.formatHex(derived(set + " data key " + n, 32)));
    ObjectNode ec = in.putObject("encryptionContext");
    context.forEach(ec::put);
    return in;
  }

  @Test
  void everyVectorRecomputesToTheSameBytes() throws Exception {
    ObjectMapper json = new ObjectMapper();
    if (Boolean.getBoolean("envelope.mlkem.writeKat")) {
      ObjectNode root = json.createObjectNode();
      root.put("description", "Known-answer vectors of Envelope's experimental AWS KMS ML-KEM keyring (draft "
          + "specification revision C, eaa4f7e: u16-length-prefixed FixedInfo; salt as the SP 800-108 context). "
          + "Key pairs from a 64-byte seed (d || z, FIPS 203); encapsulation randomness m as given. Hex strings.");
      ArrayNode vectors = root.putArray("vectors");
      for (MlKemParameterSet set : MlKemParameterSet.values()) {
        int n = 0;
        for (Map<String, String> context : List.of(Map.<String, String>of(), Map.of("tenant", "acme",
            "purpose", "kat"))) {
          ObjectNode vector = vectors.addObject();
          ObjectNode in = inputs(json, set, context, n++);
          vector.set("input", in);
          vector.set("output", compute(in, BouncyCastleMlKem.INSTANCE));
        }
      }
      Files.writeString(FILE, json.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
    }
    assertEquals(List.of(), mismatches(BouncyCastleMlKem.INSTANCE));
  }

  /**
   * The fields of the published vectors that {@code engine} computes differently (each as "ML-KEM-768 fieldName");
   * empty when all agree. {@link JdkEngineCheck} runs it with the JDK's ML-KEM.
   */
  static List<String> mismatches(MlKemEngine engine) throws Exception {
    JsonNode root = new ObjectMapper().readTree(FILE.toFile());
    if (root.get("vectors").size() != 6) {
      return List.of("the file has " + root.get("vectors").size() + " vectors, not 6");
    }
    List<String> mismatches = new ArrayList<>();
    for (JsonNode vector : root.get("vectors")) {
      ObjectNode expected = (ObjectNode) vector.get("output");
      ObjectNode actual = compute((ObjectNode) vector.get("input"), engine);
      for (Iterator<String> names = expected.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!expected.get(name).asText().equals(actual.get(name).asText())) {
          mismatches.add(vector.get("input").get("parameterSet").asText() + " " + name);
        }
      }
    }
    return mismatches;
  }
}
