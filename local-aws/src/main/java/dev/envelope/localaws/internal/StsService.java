package dev.envelope.localaws.internal;

import dev.envelope.kms.Principal;
import dev.envelope.kms.auth.Credentials;
import dev.envelope.kms.auth.SigV4Verifier;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * STS over the query protocol: {@code GetCallerIdentity} and {@code AssumeRole}. Assumed roles get temporary
 * credentials (an {@code ASIA} access key, a secret and a session token) that every service of the endpoint accepts
 * and that act as the role, so a suite can switch roles and see a key policy deny. With authorization enforced only
 * the roles of the configuration can be assumed; trust policies are not evaluated. Thread-safe.
 */
public final class StsService {
  private static final String NS = "https://sts.amazonaws.com/doc/2011-06-15/";
  private static final char[] KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

  /** A session of an assumed role, by its temporary access key. */
  private record Session(String roleArn, String sessionName, String roleId, Instant expiration) {}

  private final Credentials credentials;
  private final boolean enforce;
  private final Set<String> configuredRoles;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();

  public StsService(Credentials credentials, boolean enforce, Set<String> configuredRoles, Clock clock) {
    this.credentials = credentials;
    this.enforce = enforce;
    this.configuredRoles = Set.copyOf(configuredRoles);
    this.clock = clock;
  }

  public Reply.Answer handle(Map<String, String> params, Callers.Caller caller) {
    String action = params.get("Action");
    if (action == null) {
      return ErrorShapes.query(400, "MissingAction", "Missing Action");
    }
    return switch (action) {
      case "GetCallerIdentity" -> getCallerIdentity(caller);
      case "AssumeRole" -> assumeRole(params, caller);
      default -> ErrorShapes.query(400, "InvalidAction", "Could not find operation " + action + " for version "
          + params.getOrDefault("Version", "2011-06-15") + " (Envelope local-aws emulates GetCallerIdentity and "
          + "AssumeRole)");
    };
  }

  private Reply.Answer getCallerIdentity(Callers.Caller caller) {
    Principal p = caller.principal();
    Session session = caller.accessKeyId() == null ? null : sessions.get(caller.accessKeyId());
    String arn;
    String userId;
    if (session != null) {
      arn = assumedRoleArn(session);
      userId = session.roleId() + ":" + session.sessionName();
    } else if (p.isRoot()) {
      arn = p.arn();
      userId = p.accountId();
    } else {
      arn = p.arn();
      userId = (p.arn().contains(":role/") ? "AROA" : "AIDA") + stableId(p.arn());
    }
    return ok("GetCallerIdentity", "<Arn>" + ErrorShapes.xml(arn) + "</Arn><UserId>" + ErrorShapes.xml(userId)
        + "</UserId><Account>" + p.accountId() + "</Account>");
  }

  private Reply.Answer assumeRole(Map<String, String> params, Callers.Caller caller) {
    String roleArn = params.get("RoleArn");
    String sessionName = params.get("RoleSessionName");
    if (roleArn == null) {
      return validation("roleArn", null, "Member must not be null");
    }
    if (sessionName == null) {
      return validation("roleSessionName", null, "Member must not be null");
    }
    if (!sessionName.matches("[\\w+=,.@-]{2,64}")) {
      return validation("roleSessionName", sessionName, "Member must satisfy regular expression pattern: "
          + "[\\w+=,.@-]* and have length between 2 and 64");
    }
    if (!roleArn.matches("arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]{1,512}")) {
      return validation("roleArn", roleArn, "Member must be the ARN of an IAM role (arn:aws:iam::<account>:role/"
          + "<name>)");
    }
    int duration;
    try {
      duration = Integer.parseInt(params.getOrDefault("DurationSeconds", "3600"));
    } catch (NumberFormatException e) {
      return validation("durationSeconds", params.get("DurationSeconds"), "Member must be a number");
    }
    if (duration < 900 || duration > 43_200) {
      return validation("durationSeconds", duration, "Member must have value between 900 and 43200");
    }
    if (enforce && !configuredRoles.contains(roleArn)) {
      return ErrorShapes.query(403, "AccessDenied", "User: " + caller.principal().arn() + " is not authorized to "
          + "perform: sts:AssumeRole on resource: " + roleArn + " (Envelope local-aws: with authorization enforced, "
          + "only the principals of the configuration can be assumed)");
    }
    String accessKeyId = "ASIA" + randomKey(16);
    String secret = Base64.getEncoder().withoutPadding().encodeToString(bytes(30));
    String token = "FwoGZXIvYXdzE" + Base64.getEncoder().encodeToString(bytes(96));
    Instant expiration = clock.instant().plusSeconds(duration).truncatedTo(ChronoUnit.SECONDS);
    Session session = new Session(roleArn, sessionName, "AROA" + stableId(roleArn), expiration);
    sessions.put(accessKeyId, session);
    credentials.register(accessKeyId, Principal.of(roleArn), new SigV4Verifier.Secret(secret, token));
    return ok("AssumeRole", "<AssumedRoleUser><AssumedRoleId>" + session.roleId() + ":" + ErrorShapes.xml(sessionName)
        + "</AssumedRoleId><Arn>" + ErrorShapes.xml(assumedRoleArn(session)) + "</Arn></AssumedRoleUser>"
        + "<Credentials><AccessKeyId>" + accessKeyId + "</AccessKeyId><SecretAccessKey>" + secret
        + "</SecretAccessKey><SessionToken>" + token + "</SessionToken><Expiration>" + expiration
        + "</Expiration></Credentials><PackedPolicySize>0</PackedPolicySize>");
  }

  private static String assumedRoleArn(Session session) {
    String roleArn = session.roleArn();
    String account = roleArn.split(":")[4];
    String roleName = roleArn.substring(roleArn.lastIndexOf('/') + 1);
    return "arn:aws:sts::" + account + ":assumed-role/" + roleName + "/" + session.sessionName();
  }

  private static Reply.Answer validation(String member, Object value, String constraint) {
    return ErrorShapes.query(400, "ValidationError", "1 validation error detected: Value " + (value == null ? "null"
        : "'" + value + "'") + " at '" + member + "' failed to satisfy constraint: " + constraint);
  }

  private static Reply.Answer ok(String action, String result) {
    return Reply.Answer.of(200, "text/xml", "<" + action + "Response xmlns=\"" + NS + "\"><" + action + "Result>"
        + result + "</" + action + "Result><ResponseMetadata><RequestId>" + UUID.randomUUID()
        + "</RequestId></ResponseMetadata></" + action + "Response>");
  }

  /** A stable 17-character id for an ARN, as IAM's unique ids look (they are not secrets). */
  private static String stableId(String arn) {
    UUID uuid = UUID.nameUUIDFromBytes(arn.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    StringBuilder sb = new StringBuilder();
    long bits = uuid.getMostSignificantBits() ^ uuid.getLeastSignificantBits();
    for (int i = 0; i < 17; i++) {
      sb.append(KEY_ALPHABET[(int) (bits & 31)]);
      bits = Long.rotateRight(bits, 5);
    }
    return sb.toString();
  }

  private String randomKey(int length) {
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append(KEY_ALPHABET[random.nextInt(KEY_ALPHABET.length)]);
    }
    return sb.toString();
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }
}
