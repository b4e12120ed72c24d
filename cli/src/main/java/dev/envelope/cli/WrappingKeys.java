package dev.envelope.cli;

import dev.envelope.core.keyring.KmsDiscoveryKeyring;
import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.core.keyring.Keyring;
import dev.envelope.core.keyring.MultiKeyring;
import dev.envelope.core.keyring.RawAesKeyring;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code --wrapping-keys} attributes, as the AWS Encryption SDK CLI spells them: {@code key=<KMS key ARN or
 * alias ARN>} (repeatable; the first generates the data key on encrypt), {@code discovery=true} with {@code
 * discovery-account=<id>} (repeatable) and {@code discovery-partition=<partition>} to decrypt with any KMS key the
 * caller may use; and a raw AES key: {@code provider=raw-aes key-file=<file of 16, 24 or 32 bytes, raw or Base64>
 * namespace=<ns> name=<name>}. Parsed once, immutable.
 */
final class WrappingKeys {
  private final List<String> kmsKeys;
  private final boolean discovery;
  private final Set<String> discoveryAccounts;
  private final String discoveryPartition;
  private final List<RawAesKeyring> rawKeys;

  private WrappingKeys(List<String> kmsKeys, boolean discovery, Set<String> accounts, String partition,
      List<RawAesKeyring> rawKeys) {
    this.kmsKeys = List.copyOf(kmsKeys);
    this.discovery = discovery;
    this.discoveryAccounts = Set.copyOf(accounts);
    this.discoveryPartition = partition;
    this.rawKeys = List.copyOf(rawKeys);
  }

  static WrappingKeys parse(List<String> attributes) {
    List<String> kms = new ArrayList<>();
    List<RawAesKeyring> raw = new ArrayList<>();
    boolean discovery = false;
    Set<String> accounts = new LinkedHashSet<>();
    String partition = null;
    String provider = "aws-kms";
    String keyFile = null;
    String namespace = null;
    String name = null;
    for (String attribute : attributes) {
      int eq = attribute.indexOf('=');
      if (eq <= 0) {
        throw usage("--wrapping-keys takes name=value attributes, not '" + attribute + "'");
      }
      String key = attribute.substring(0, eq);
      String value = attribute.substring(eq + 1);
      switch (key) {
        case "provider" -> {
          if (!value.equals("aws-kms") && !value.equals("raw-aes")) {
            throw usage("provider must be aws-kms or raw-aes, not '" + value + "'");
          }
          provider = value;
        }
        case "key" -> kms.add(value);
        case "discovery" -> discovery = Boolean.parseBoolean(value);
        case "discovery-account" -> accounts.add(value);
        case "discovery-partition" -> partition = value;
        case "key-file" -> keyFile = value;
        case "namespace" -> namespace = value;
        case "name" -> name = value;
        default -> throw usage("unknown --wrapping-keys attribute '" + key + "' (key, provider, discovery, "
            + "discovery-account, discovery-partition, key-file, namespace, name)");
      }
    }
    if (provider.equals("raw-aes") || keyFile != null) {
      if (keyFile == null || namespace == null || name == null) {
        throw usage("provider=raw-aes needs key-file=, namespace= and name=");
      }
      raw.add(RawAesKeyring.builder().keyNamespace(namespace).keyName(name).wrappingKey(readKey(Path.of(keyFile)))
          .build());
    }
    if (discovery && !kms.isEmpty()) {
      throw usage("discovery=true decrypts with any KMS key; do not also name keys with key=");
    }
    if ((!accounts.isEmpty() || partition != null) && !discovery) {
      throw usage("discovery-account and discovery-partition need discovery=true");
    }
    if (discovery && (accounts.isEmpty() != (partition == null))) {
      throw usage("discovery-account and discovery-partition go together (the ESDK's discovery filter)");
    }
    for (String arn : kms) {
      if (!arn.startsWith("arn:") && !arn.startsWith("alias/") && !arn.matches("[0-9a-f-]{36}|mrk-[0-9a-f]{32}")) {
        throw usage("key=" + arn + " is not a KMS key ARN, alias, key id or alias ARN");
      }
    }
    if (kms.isEmpty() && raw.isEmpty() && !discovery) {
      throw usage("--wrapping-keys names no key: key=<KMS key ARN>, discovery=true, or provider=raw-aes ...");
    }
    return new WrappingKeys(kms, discovery, accounts, partition, raw);
  }

  private static byte[] readKey(Path file) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      if (bytes.length == 16 || bytes.length == 24 || bytes.length == 32) {
        return bytes;
      }
      byte[] decoded = Base64.getDecoder().decode(new String(bytes, StandardCharsets.US_ASCII).strip());
      if (decoded.length == 16 || decoded.length == 24 || decoded.length == 32) {
        return decoded;
      }
      throw usage("key-file " + file + " holds " + decoded.length + " bytes; an AES key is 16, 24 or 32");
    } catch (IOException e) {
      throw usage("cannot read key-file " + file + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw usage("key-file " + file + " is neither 16, 24 or 32 raw bytes nor Base64 of them");
    }
  }

  private static UsageException usage(String message) {
    return new UsageException(message);
  }

  /** For encrypting: the first key generates, every other wraps. */
  Keyring forEncrypt(AwsOptions aws) {
    if (discovery) {
      throw usage("discovery=true only decrypts: name the keys to encrypt under with key=");
    }
    List<Keyring> all = all(aws);
    return all.size() == 1 ? all.get(0) : MultiKeyring.create(all.get(0), all.subList(1, all.size()));
  }

  /** For decrypting: any of the keys, or discovery. */
  Keyring forDecrypt(AwsOptions aws) {
    if (discovery) {
      KmsDiscoveryKeyring.Builder b = KmsDiscoveryKeyring.builder().kmsClient(aws.kms(null));
      if (!discoveryAccounts.isEmpty()) {
        b.accounts(discoveryAccounts).partition(discoveryPartition);
      }
      return rawKeys.isEmpty() ? b.build() : MultiKeyring.ofChildren(concat(b.build(), rawKeys));
    }
    List<Keyring> all = all(aws);
    return all.size() == 1 ? all.get(0) : MultiKeyring.ofChildren(all);
  }

  /** For wrapping a data key that exists (re-key): every key wraps, none generates. */
  Keyring forWrapping(AwsOptions aws) {
    return forDecrypt(aws);
  }

  List<String> kmsKeys() {
    return kmsKeys;
  }

  private List<Keyring> all(AwsOptions aws) {
    List<Keyring> out = new ArrayList<>();
    for (String arn : kmsKeys) {
      out.add(KmsKeyring.create(aws.kmsFor(arn), arn));
    }
    out.addAll(rawKeys);
    return out;
  }

  private static List<Keyring> concat(Keyring first, List<? extends Keyring> rest) {
    List<Keyring> out = new ArrayList<>();
    out.add(first);
    out.addAll(rest);
    return out;
  }
}
