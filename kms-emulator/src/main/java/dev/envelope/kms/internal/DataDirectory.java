package dev.envelope.kms.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The emulator's state in a directory, so that a restarted emulator has every key whose CreateKey returned:
 *
 * <ul>
 *   <li>{@code root.key}: 32 random bytes made on first use (owner-only permissions where the file system has
 *       them). Every secret below is sealed under it with AES-GCM, bound to its key ARN and material id, so the
 *       JSON files can be read, diffed and backed up without exposing key material.
 *   <li>{@code material/<family>.json}: the versions of key material and the rotation settings of one key, or of
 *       one family of multi-Region related keys, which share them.
 *   <li>{@code keys/<region>_<account>_<key id>.json}: everything else about one key: state, policy, tags,
 *       grants, multi-Region role.
 *   <li>{@code aliases.json}: every alias.
 * </ul>
 *
 * <p>Every file is written to a temporary file, forced to disk, then renamed over the old one, and the directory
 * is forced: a reader (or a restart after SIGKILL or power loss) sees the old file or the new one, never a torn
 * one. Material is written before the key that needs it, so a key file never names missing material.
 *
 * <p>Not thread-safe: the engine calls it under its lock.
 */
public final class DataDirectory {
  private static final int ROOT_KEY_BYTES = 32;
  private static final int IV_BYTES = 12;

  private final Path dir;
  private final Path keysDir;
  private final Path materialDir;
  private final SecretKeySpec rootKey;
  private final SecureRandom random = new SecureRandom();

  private DataDirectory(Path dir, byte[] rootKey) {
    this.dir = dir;
    this.keysDir = dir.resolve("keys");
    this.materialDir = dir.resolve("material");
    this.rootKey = new SecretKeySpec(rootKey, "AES");
  }

  /** Opens (creating if needed) a data directory, with its root key. */
  public static DataDirectory open(Path dir) {
    try {
      Files.createDirectories(dir.resolve("keys"));
      Files.createDirectories(dir.resolve("material"));
      Path rootFile = dir.resolve("root.key");
      byte[] root;
      if (Files.exists(rootFile)) {
        root = Files.readAllBytes(rootFile);
        if (root.length != ROOT_KEY_BYTES) {
          throw new IllegalStateException(rootFile + " must hold exactly " + ROOT_KEY_BYTES + " bytes; it holds "
              + root.length + ". Restore it from a backup, or start with an empty data directory.");
        }
      } else {
        root = new byte[ROOT_KEY_BYTES];
        new SecureRandom().nextBytes(root);
        writeAtomically(dir, rootFile, root, true);
      }
      return new DataDirectory(dir, root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the data directory " + dir, e);
    }
  }

  public Path path() {
    return dir;
  }

  // ---- writing ------------------------------------------------------------------------------------------------

  /** Saves a key: its material family first, then the key. */
  void saveKey(KmsKey key) {
    write(materialDir.resolve(family(key) + ".json"), material(key));
    write(keysDir.resolve(fileName(key) + ".json"), keyJson(key));
  }

  /** Removes a deleted key, and its material once no related key is left. */
  void deleteKey(KmsKey key, boolean lastOfFamily) {
    delete(keysDir.resolve(fileName(key) + ".json"));
    if (lastOfFamily) {
      delete(materialDir.resolve(family(key) + ".json"));
    }
  }

  void saveAliases(Collection<Alias> aliases) {
    ObjectNode root = Json.object();
    ArrayNode array = root.putArray("aliases");
    for (Alias a : aliases) {
      ObjectNode n = array.addObject();
      n.put("account", a.accountId).put("region", a.region).put("name", a.name).put("targetKeyId", a.targetKeyId);
      n.put("created", a.created.toString()).put("updated", a.updated.toString());
    }
    write(dir.resolve("aliases.json"), root);
  }

  private static String fileName(KmsKey key) {
    return key.region + "_" + key.accountId + "_" + key.keyId;
  }

  /** Related multi-Region keys share their key id and account, and one material file. */
  private static String family(KmsKey key) {
    return key.multiRegion ? key.accountId + "_" + key.keyId : fileName(key);
  }

  private ObjectNode material(KmsKey key) {
    KmsKey.SharedMaterial m = key.shared;
    ObjectNode n = Json.object();
    n.put("rotationEnabled", m.rotationEnabled);
    n.put("rotationPeriodDays", m.rotationPeriodDays);
    putInstant(n, "nextRotation", m.nextRotation);
    n.put("onDemandRotations", m.onDemandRotations);
    ArrayNode regions = n.putArray("regions");
    m.regions.forEach(regions::add);
    ArrayNode versions = n.putArray("versions");
    for (KeyMaterial v : m.versions) {
      ObjectNode vn = versions.addObject();
      vn.put("id", v.idHex());
      vn.put("created", v.created().toString());
      vn.put("rotationType", v.rotationType());
      byte[] aad = aad(family(key), v.id());
      if (v.secret() != null) {
        vn.put("sealedSecret", seal(v.secret(), aad));
      } else {
        vn.put("publicKey", Base64.getEncoder().encodeToString(v.keyPair().getPublic().getEncoded()));
        vn.put("sealedPrivateKey", seal(v.keyPair().getPrivate().getEncoded(), aad));
      }
    }
    return n;
  }

  private static ObjectNode keyJson(KmsKey key) {
    ObjectNode n = Json.object();
    n.put("account", key.accountId).put("region", key.region).put("keyId", key.keyId);
    n.put("created", key.created.toString());
    n.put("description", key.description).put("keyUsage", key.keyUsage).put("keySpec", key.keySpec);
    n.put("origin", key.origin).put("state", key.state.name());
    putInstant(n, "deletionDate", key.deletionDate);
    if (key.pendingWindowDays != null) {
      n.put("pendingWindowDays", key.pendingWindowDays);
    }
    n.put("policy", key.policy.text());
    n.set("tags", Json.objectOf(key.tags));
    n.put("multiRegion", key.multiRegion);
    if (key.awsManaged) {
      n.put("awsManaged", true);
    }
    n.put("primaryRegion", key.primaryRegion);
    putInstant(n, "validTo", key.validTo);
    n.put("expirationModel", key.expirationModel);
    ArrayNode grants = n.putArray("grants");
    for (Grant g : key.grants) {
      ObjectNode gn = grants.addObject();
      gn.put("grantId", g.grantId()).put("token", g.token()).put("name", g.name()).put("keyArn", g.keyArn());
      gn.put("granteePrincipal", g.granteePrincipal()).put("retiringPrincipal", g.retiringPrincipal());
      gn.put("issuingAccount", g.issuingAccount()).put("created", g.created().toString());
      g.operations().forEach(gn.putArray("operations")::add);
      gn.set("contextEquals", g.contextEquals() == null ? null : Json.objectOf(g.contextEquals()));
      gn.set("contextSubset", g.contextSubset() == null ? null : Json.objectOf(g.contextSubset()));
    }
    return n;
  }

  // ---- reading ------------------------------------------------------------------------------------------------

  /** What a data directory holds. */
  record Contents(List<KmsKey> keys, List<Alias> aliases) {}

  /**
   * Reads every key and alias. A key file whose material file is missing is skipped: its CreateKey never
   * returned (the material is written first).
   */
  Contents load() {
    Map<String, KmsKey.SharedMaterial> families = new HashMap<>();
    List<KmsKey> keys = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(keysDir, "*.json")) {
      for (Path file : files) {
        JsonNode n = read(file);
        KmsKey key = key(n);
        String family = family(key);
        KmsKey.SharedMaterial shared = families.get(family);
        if (shared == null) {
          Path materialFile = materialDir.resolve(family + ".json");
          if (!Files.exists(materialFile)) {
            continue;
          }
          shared = material(read(materialFile), family, key.keySpec);
          families.put(family, shared);
        }
        key.shared = shared;
        keys.add(key);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + keysDir, e);
    }
    List<Alias> aliases = new ArrayList<>();
    Path aliasFile = dir.resolve("aliases.json");
    if (Files.exists(aliasFile)) {
      for (JsonNode a : read(aliasFile).get("aliases")) {
        Alias alias = new Alias(a.get("account").asText(), a.get("region").asText(), a.get("name").asText(),
            a.get("targetKeyId").asText(), Instant.parse(a.get("created").asText()));
        alias.updated = Instant.parse(a.get("updated").asText());
        aliases.add(alias);
      }
    }
    return new Contents(keys, aliases);
  }

  private static KmsKey key(JsonNode n) {
    KmsKey key = new KmsKey(n.get("account").asText(), n.get("region").asText(), n.get("keyId").asText(),
        Instant.parse(n.get("created").asText()));
    key.description = n.get("description").asText();
    key.keyUsage = n.get("keyUsage").asText();
    key.keySpec = n.get("keySpec").asText();
    key.origin = n.get("origin").asText();
    key.state = KeyState.valueOf(n.get("state").asText());
    key.deletionDate = instant(n, "deletionDate");
    key.pendingWindowDays = n.hasNonNull("pendingWindowDays") ? n.get("pendingWindowDays").asInt() : null;
    key.policy = PolicyDocument.parse(n.get("policy").asText(), true);
    n.get("tags").properties().forEach(e -> key.tags.put(e.getKey(), e.getValue().asText()));
    key.multiRegion = n.get("multiRegion").asBoolean();
    key.awsManaged = n.path("awsManaged").asBoolean(false);
    key.primaryRegion = text(n, "primaryRegion");
    key.validTo = instant(n, "validTo");
    key.expirationModel = text(n, "expirationModel");
    for (JsonNode g : n.get("grants")) {
      key.grants.add(new Grant(g.get("grantId").asText(), g.get("token").asText(), text(g, "name"),
          g.get("keyArn").asText(), g.get("granteePrincipal").asText(), text(g, "retiringPrincipal"),
          g.get("issuingAccount").asText(), strings(g.get("operations")), map(g.get("contextEquals")),
          map(g.get("contextSubset")), Instant.parse(g.get("created").asText())));
    }
    return key;
  }

  private KmsKey.SharedMaterial material(JsonNode n, String family, String keySpec) {
    KmsKey.SharedMaterial m = new KmsKey.SharedMaterial();
    m.rotationEnabled = n.get("rotationEnabled").asBoolean();
    m.rotationPeriodDays = n.get("rotationPeriodDays").asInt();
    m.nextRotation = instant(n, "nextRotation");
    m.onDemandRotations = n.get("onDemandRotations").asInt();
    n.get("regions").forEach(r -> m.regions.add(r.asText()));
    for (JsonNode v : n.get("versions")) {
      byte[] id = HexFormat.of().parseHex(v.get("id").asText());
      Instant created = Instant.parse(v.get("created").asText());
      String rotationType = text(v, "rotationType");
      byte[] aad = aad(family, id);
      if (v.has("sealedSecret")) {
        m.versions.add(new KeyMaterial(id, open(v.get("sealedSecret").asText(), aad), null, created, rotationType));
      } else {
        byte[] pkcs8 = open(v.get("sealedPrivateKey").asText(), aad);
        try {
          m.versions.add(new KeyMaterial(id, null, Asymmetric.canonical(keySpec,
              Base64.getDecoder().decode(v.get("publicKey").asText()), pkcs8), created, rotationType));
        } catch (GeneralSecurityException e) {
          throw new IllegalStateException("unreadable key pair in material family " + family, e);
        }
      }
    }
    return m;
  }

  // ---- sealing and files --------------------------------------------------------------------------------------

  private static byte[] aad(String family, byte[] materialId) {
    byte[] f = family.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(f.length + materialId.length).put(f).put(materialId).array();
  }

  private String seal(byte[] secret, byte[] aad) {
    try {
      byte[] iv = new byte[IV_BYTES];
      random.nextBytes(iv);
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
      gcm.init(Cipher.ENCRYPT_MODE, rootKey, new GCMParameterSpec(128, iv));
      gcm.updateAAD(aad);
      byte[] sealed = gcm.doFinal(secret);
      return Base64.getEncoder().encodeToString(ByteBuffer.allocate(IV_BYTES + sealed.length).put(iv).put(sealed)
          .array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is unavailable", e);
    }
  }

  private byte[] open(String sealed, byte[] aad) {
    byte[] bytes = Base64.getDecoder().decode(sealed);
    if (bytes.length < IV_BYTES + 16) {
      throw new IllegalStateException("key material in " + dir + " is truncated: the file was altered");
    }
    try {
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
      gcm.init(Cipher.DECRYPT_MODE, rootKey, new GCMParameterSpec(128, bytes, 0, IV_BYTES));
      gcm.updateAAD(aad);
      return gcm.doFinal(bytes, IV_BYTES, bytes.length - IV_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("key material in " + dir + " does not open under " + dir.resolve("root.key")
          + ": the root key was replaced or the file was altered", e);
    }
  }

  private static JsonNode read(Path file) {
    try {
      return Json.parse(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private void write(Path target, ObjectNode content) {
    try {
      writeAtomically(dir, target, Json.write(content, true), false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    }
  }

  private static void writeAtomically(Path dir, Path target, byte[] bytes, boolean ownerOnly) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      if (ownerOnly) {
        try {
          Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
          // Windows: the directory's ACL decides.
        }
      }
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        ch.write(buffer);
      }
      ch.force(true);
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
    forceDirectory(target.getParent());
  }

  private void delete(Path file) {
    try {
      Files.deleteIfExists(file);
      forceDirectory(file.getParent());
    } catch (NoSuchFileException ignored) {
      // already gone
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + file, e);
    }
  }

  /** Makes a rename durable on Linux; a no-op where directories cannot be opened. */
  private static void forceDirectory(Path directory) {
    try (FileChannel ch = FileChannel.open(directory, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException notSupported) {
      // Windows cannot open a directory; its rename is durable enough for the emulator.
    }
  }

  // ---- JSON helpers -------------------------------------------------------------------------------------------

  private static void putInstant(ObjectNode n, String name, Instant t) {
    if (t != null) {
      n.put(name, t.toString());
    }
  }

  private static Instant instant(JsonNode n, String name) {
    return n.hasNonNull(name) ? Instant.parse(n.get(name).asText()) : null;
  }

  private static String text(JsonNode n, String name) {
    return n.hasNonNull(name) ? n.get(name).asText() : null;
  }

  private static List<String> strings(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.forEach(s -> out.add(s.asText()));
    return List.copyOf(out);
  }

  private static Map<String, String> map(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    Map<String, String> out = new java.util.LinkedHashMap<>();
    n.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
    return Map.copyOf(out);
  }
}
