package dev.envelope.s3.internal;

import dev.envelope.core.AuthenticationFailedException;
import dev.envelope.core.MalformedMessageException;
import dev.envelope.s3.ObjectFormat;
import dev.envelope.s3.S3ecContentAlgorithm;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The S3EC mapkeys (spec: s3-encryption/data-format/content-metadata.md and metadata-strategy.md): detection,
 * parsing, writing, and the split between object metadata and instruction file.
 */
public final class S3ecMetadata {
  // V1 / V2
  public static final String KEY_V1 = "x-amz-key";
  public static final String KEY_V2 = "x-amz-key-v2";
  public static final String IV = "x-amz-iv";
  public static final String MATDESC = "x-amz-matdesc";
  public static final String WRAP_ALG = "x-amz-wrap-alg";
  public static final String CEK_ALG = "x-amz-cek-alg";
  public static final String TAG_LEN = "x-amz-tag-len";
  public static final String UNENCRYPTED_LENGTH = "x-amz-unencrypted-content-length";
  // V3
  public static final String V3_CEK_ALG = "x-amz-c";
  public static final String V3_KEY = "x-amz-3";
  public static final String V3_WRAP_ALG = "x-amz-w";
  public static final String V3_COMMITMENT = "x-amz-d";
  public static final String V3_MESSAGE_ID = "x-amz-i";
  public static final String V3_CONTEXT = "x-amz-t";
  public static final String V3_MATDESC = "x-amz-m";
  /** Marker on instruction files; readers do not rely on it (some emulators drop empty metadata). */
  public static final String INSTRUCTION_FILE_MARKER = "x-amz-crypto-instr-file";
  /** V3 mapkeys that must stay on the object: key commitment protects a re-wrapped data key only then. */
  static final Set<String> V3_OBJECT_ONLY = Set.of(V3_CEK_ALG, V3_COMMITMENT, V3_MESSAGE_ID);
  private static final Set<String> V1_V2_KEYS = Set.of(KEY_V1, KEY_V2, IV, MATDESC, WRAP_ALG, CEK_ALG, TAG_LEN);
  private static final Set<String> V3_KEYS = Set.of(V3_CEK_ALG, V3_KEY, V3_WRAP_ALG, V3_COMMITMENT, V3_MESSAGE_ID,
      V3_CONTEXT, V3_MATDESC);

  private S3ecMetadata() {}

  /** The S3EC format these mapkeys describe, or null if none. Mixed versions are refused. */
  public static ObjectFormat detect(Map<String, String> m) {
    boolean v3 = m.containsKey(V3_CEK_ALG) || m.containsKey(V3_KEY);
    boolean v2 = m.containsKey(KEY_V2);
    boolean v1 = m.containsKey(KEY_V1);
    if ((v3 ? 1 : 0) + (v2 ? 1 : 0) + (v1 ? 1 : 0) > 1) {
      throw new MalformedMessageException("Object metadata mixes S3 Encryption Client format versions ("
          + (v1 ? "x-amz-key " : "") + (v2 ? "x-amz-key-v2 " : "") + (v3 ? "x-amz-c/x-amz-3" : "") + ")");
    }
    return v3 ? ObjectFormat.S3EC_V3 : v2 ? ObjectFormat.S3EC_V2 : v1 ? ObjectFormat.S3EC_V1 : null;
  }

  /** True if the object carries V3's object-only mapkeys but its key is elsewhere (an instruction file). */
  public static boolean needsInstructionFile(Map<String, String> m) {
    ObjectFormat f = detect(m);
    return f == null || f == ObjectFormat.S3EC_V3 && !m.containsKey(V3_KEY);
  }

  /** Everything needed to decrypt, parsed from the mapkeys. */
  public record Parsed(ObjectFormat format, S3ecContentAlgorithm algorithm, byte[] encryptedKey,
      String wrappingAlgorithm, Map<String, String> description, byte[] iv, byte[] commitment) {}

  public static Parsed parse(Map<String, String> m) {
    ObjectFormat format = detect(m);
    if (format == ObjectFormat.S3EC_V3) {
      String c = require(m, V3_CEK_ALG);
      if (!"115".equals(c)) {
        throw new MalformedMessageException("Unknown V3 content cipher x-amz-c=" + c);
      }
      String w = require(m, V3_WRAP_ALG);
      String wrap = switch (w) {
        case "02" -> "AES/GCM";
        case "12" -> "kms+context";
        case "22" -> "RSA-OAEP-SHA1";
        default -> throw new MalformedMessageException("Unknown V3 wrapping algorithm x-amz-w=" + w);
      };
      String description = m.containsKey(V3_CONTEXT) ? m.get(V3_CONTEXT) : m.getOrDefault(V3_MATDESC, "{}");
      return new Parsed(format, S3ecContentAlgorithm.AES_256_GCM_HKDF_SHA512_COMMIT_KEY, b64(m, V3_KEY), wrap,
          JsonMaps.read(description, m.containsKey(V3_CONTEXT) ? V3_CONTEXT : V3_MATDESC),
          b64(m, V3_MESSAGE_ID), b64(m, V3_COMMITMENT));
    }
    if (format == null) {
      throw new MalformedMessageException("No S3 Encryption Client metadata");
    }
    String cek = m.get(CEK_ALG);
    S3ecContentAlgorithm algorithm;
    if (cek == null || S3ecContentAlgorithm.AES_256_CBC.cekAlgorithm().equals(cek)) {
      algorithm = S3ecContentAlgorithm.AES_256_CBC;
    } else if (S3ecContentAlgorithm.AES_256_GCM.cekAlgorithm().equals(cek)) {
      algorithm = S3ecContentAlgorithm.AES_256_GCM;
      if (!"128".equals(m.get(TAG_LEN))) {
        throw new MalformedMessageException("GCM object has x-amz-tag-len=" + m.get(TAG_LEN) + ", expected 128");
      }
    } else {
      throw new MalformedMessageException("Unknown content cipher x-amz-cek-alg=" + cek);
    }
    byte[] key = b64(m, format == ObjectFormat.S3EC_V1 ? KEY_V1 : KEY_V2);
    String wrap = m.get(WRAP_ALG);
    if (wrap == null) {
      wrap = key.length > 48 ? "RSA" : "AESWrap"; // SDK v1 wrote none for its symmetric and asymmetric keys
    }
    byte[] iv = b64(m, IV);
    if (iv.length != (algorithm == S3ecContentAlgorithm.AES_256_GCM ? 12 : 16)) {
      throw new MalformedMessageException("x-amz-iv has " + iv.length + " bytes, wrong for " + algorithm);
    }
    return new Parsed(format, algorithm, key, wrap, JsonMaps.read(m.getOrDefault(MATDESC, "{}"), MATDESC), iv, null);
  }

  /** V2 mapkeys (Java S3EC v3 layout, plus the plaintext length it leaves out). */
  public static Map<String, String> v2(byte[] encryptedKey, String wrappingAlgorithm, Map<String, String> description,
      byte[] iv, long plaintextLength) {
    Map<String, String> m = new HashMap<>();
    m.put(KEY_V2, Base64.getEncoder().encodeToString(encryptedKey));
    m.put(IV, Base64.getEncoder().encodeToString(iv));
    m.put(MATDESC, JsonMaps.write(description));
    m.put(WRAP_ALG, wrappingAlgorithm);
    m.put(CEK_ALG, S3ecContentAlgorithm.AES_256_GCM.cekAlgorithm());
    m.put(TAG_LEN, "128");
    if (plaintextLength >= 0) {
      m.put(UNENCRYPTED_LENGTH, Long.toString(plaintextLength));
    }
    return m;
  }

  /** V3 mapkeys. */
  public static Map<String, String> v3(byte[] encryptedKey, String wrappingAlgorithm, Map<String, String> description,
      byte[] messageId, byte[] commitment) {
    Map<String, String> m = new HashMap<>();
    m.put(V3_CEK_ALG, "115");
    m.put(V3_KEY, Base64.getEncoder().encodeToString(encryptedKey));
    m.put(V3_WRAP_ALG, switch (wrappingAlgorithm) {
      case "AES/GCM" -> "02";
      case "kms+context" -> "12";
      case "RSA-OAEP-SHA1" -> "22";
      default -> throw new IllegalArgumentException("V3 cannot store wrapping " + wrappingAlgorithm);
    });
    m.put(V3_COMMITMENT, Base64.getEncoder().encodeToString(commitment));
    m.put(V3_MESSAGE_ID, Base64.getEncoder().encodeToString(messageId));
    if ("kms+context".equals(wrappingAlgorithm)) {
      m.put(V3_CONTEXT, JsonMaps.write(description));
    } else if (!description.isEmpty()) {
      m.put(V3_MATDESC, JsonMaps.write(description));
    }
    return m;
  }

  /** The mapkeys that stay on the object when the rest go to an instruction file. */
  public static Map<String, String> objectPart(Map<String, String> mapkeys) {
    Map<String, String> m = new HashMap<>(mapkeys);
    m.keySet().retainAll(V3_OBJECT_ONLY);
    return m;
  }

  /** The mapkeys for the instruction file. */
  public static Map<String, String> instructionPart(Map<String, String> mapkeys) {
    Map<String, String> m = new HashMap<>(mapkeys);
    m.keySet().removeAll(V3_OBJECT_ONLY);
    return m;
  }

  /**
   * Joins an object's metadata with its instruction file. A V3 instruction file holding x-amz-c, -d or -i is
   * tampered (those must come from the object, where they protect the data key).
   */
  public static Map<String, String> merge(Map<String, String> objectMetadata, Map<String, String> instruction) {
    for (String k : V3_OBJECT_ONLY) {
      if (instruction.containsKey(k)) {
        throw new AuthenticationFailedException("Instruction file is tampered: it holds " + k + ", which only the "
            + "object's own metadata may carry");
      }
    }
    Map<String, String> m = new HashMap<>();
    for (Map.Entry<String, String> e : objectMetadata.entrySet()) {
      if (V3_KEYS.contains(e.getKey()) || V1_V2_KEYS.contains(e.getKey())) {
        m.put(e.getKey(), e.getValue());
      }
    }
    m.putAll(instruction);
    return m;
  }

  /** Bytes S3 counts against its 2 KB user-metadata budget: UTF-8 of each key and value, without the prefix. */
  public static int metadataSize(Map<String, String> metadata) {
    int n = 0;
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      n += e.getKey().getBytes(StandardCharsets.UTF_8).length + e.getValue().getBytes(StandardCharsets.UTF_8).length;
    }
    return n;
  }

  private static String require(Map<String, String> m, String key) {
    String v = m.get(key);
    if (v == null) {
      throw new MalformedMessageException("S3 Encryption Client metadata lacks " + key);
    }
    return v;
  }

  private static byte[] b64(Map<String, String> m, String key) {
    try {
      return Base64.getDecoder().decode(require(m, key).trim());
    } catch (IllegalArgumentException e) {
      throw new MalformedMessageException(key + " is not valid base64");
    }
  }
}
