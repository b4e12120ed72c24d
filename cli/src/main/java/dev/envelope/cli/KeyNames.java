package dev.envelope.cli;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * KMS keys named the ways KMS accepts (key ARN, key id, alias name, alias ARN) turned into the key ARNs headers
 * hold, so that {@code --key alias/orders} finds what {@code --key arn:aws:kms:...:key/...} finds. Other names
 * (a raw key's {@code namespace/name}) pass unchanged.
 */
final class KeyNames {
  private KeyNames() {}

  static boolean isKms(String name) {
    return name.startsWith("arn:aws") && name.contains(":kms:") || name.startsWith("alias/")
        || name.matches("[0-9a-fA-F-]{36}|mrk-[0-9a-fA-F]{32}");
  }

  static List<String> resolve(List<String> names, AwsOptions aws) {
    List<String> out = new ArrayList<>();
    KmsClient kms = null;
    try {
      for (String name : names) {
        if (!isKms(name) || name.contains(":key/")) {
          out.add(name);
          continue;
        }
        if (kms == null) {
          kms = aws.kms(name.startsWith("arn:") ? name.split(":")[3] : null);
        }
        KmsClient client = kms;
        out.add(client.describeKey(b -> b.keyId(name)).keyMetadata().arn());
      }
    } finally {
      if (kms != null) {
        kms.close();
      }
    }
    return out;
  }
}
