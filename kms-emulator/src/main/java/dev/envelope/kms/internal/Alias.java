package dev.envelope.kms.internal;

import java.time.Instant;

/** An alias: a name in one account and Region pointing at one key. */
final class Alias {
  final String accountId;
  final String region;
  final String name;
  final Instant created;
  String targetKeyId;
  Instant updated;

  Alias(String accountId, String region, String name, String targetKeyId, Instant created) {
    this.accountId = accountId;
    this.region = region;
    this.name = name;
    this.targetKeyId = targetKeyId;
    this.created = created;
    this.updated = created;
  }

  String arn() {
    return Arns.alias(region, accountId, name);
  }
}
