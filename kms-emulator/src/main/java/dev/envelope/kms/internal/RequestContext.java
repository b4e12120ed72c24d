package dev.envelope.kms.internal;

import dev.envelope.kms.Principal;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a request looks like to a policy: the action, the key, and the condition keys the emulator supplies.
 * <ul>
 *   <li>{@code kms:EncryptionContext:<key>} (key name case-insensitive), {@code kms:EncryptionContextKeys},
 *       {@code kms:ViaService}, {@code kms:CallerAccount};</li>
 *   <li>of the key: {@code kms:KeySpec}, {@code kms:KeyUsage}, {@code kms:KeyOrigin}, {@code kms:MultiRegion},
 *       {@code kms:MultiRegionKeyType}, {@code aws:ResourceTag/<key>}, {@code aws:ResourceAccount};</li>
 *   <li>of the caller: {@code aws:PrincipalArn}, {@code aws:PrincipalAccount}, {@code aws:PrincipalType};</li>
 *   <li>of the call: {@code aws:CurrentTime}, {@code aws:EpochTime} (the emulator's clock), {@code aws:SourceIp}
 *       (over HTTP the peer address, in process 127.0.0.1).</li>
 * </ul>
 * Every other key is absent, as in a request that does not carry it.
 */
record RequestContext(Principal caller, String action, KmsKey key, Map<String, String> encryptionContext,
    String viaService, String sourceIp, Instant now) {

  /** The key's ARN, or {@code *} for the operations that act on no key (ListKeys, CreateKey, GenerateRandom). */
  String resourceArn() {
    return key == null ? "*" : key.arn();
  }

  /** The request's values for {@code conditionKey}, or null when the request does not carry the key. */
  List<String> values(String conditionKey) {
    String lower = conditionKey.toLowerCase(Locale.ROOT);
    if (lower.startsWith("kms:encryptioncontext:")) {
      String wanted = conditionKey.substring("kms:EncryptionContext:".length());
      for (Map.Entry<String, String> e : encryptionContext.entrySet()) {
        if (e.getKey().equalsIgnoreCase(wanted)) {
          return List.of(e.getValue());
        }
      }
      return null;
    }
    if (key == null && (lower.startsWith("aws:resourcetag/") || lower.equals("aws:resourceaccount")
        || lower.startsWith("kms:key") || lower.startsWith("kms:multiregion"))) {
      return null; // no key, no key condition keys
    }
    if (lower.startsWith("aws:resourcetag/")) {
      String wanted = conditionKey.substring("aws:ResourceTag/".length());
      String value = key.tags.get(wanted);
      return value == null ? null : List.of(value);
    }
    return switch (lower) {
      case "kms:encryptioncontextkeys" -> encryptionContext.isEmpty() ? null : List.copyOf(encryptionContext.keySet());
      case "kms:viaservice" -> viaService == null ? null : List.of(viaService);
      case "kms:calleraccount", "aws:principalaccount" -> List.of(caller.accountId());
      case "aws:principalarn" -> List.of(caller.arn());
      case "aws:principaltype" -> List.of(caller.isRoot() ? "Account"
          : caller.arn().contains(":user/") ? "User" : "AssumedRole");
      case "aws:resourceaccount" -> List.of(key.accountId);
      case "kms:keyspec" -> List.of(key.keySpec);
      case "kms:keyusage" -> List.of(key.keyUsage);
      case "kms:keyorigin" -> List.of(key.origin);
      case "kms:multiregion" -> List.of(Boolean.toString(key.multiRegion));
      case "kms:multiregionkeytype" -> key.multiRegion ? List.of(key.isPrimary() ? "PRIMARY" : "REPLICA") : null;
      case "aws:currenttime" -> List.of(DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS)));
      case "aws:epochtime" -> List.of(Long.toString(now.getEpochSecond()));
      // The in-process client is a caller on this machine: its requests come from the loopback address.
      case "aws:sourceip" -> sourceIp == null ? null : List.of("in-process".equals(sourceIp) ? "127.0.0.1" : sourceIp);
      default -> null;
    };
  }
}
