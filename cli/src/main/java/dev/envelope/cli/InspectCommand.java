package dev.envelope.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.envelope.core.MessageInfo;
import dev.envelope.s3.ObjectHeaderInfo;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/** {@code envelope inspect}: a header as JSON, without a key. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Print what a message, an encrypted S3 object or a DynamoDB item says about itself, as JSON: "
        + "format, suite, message id, frame length, encryption context, and every encrypted data key with the "
        + "wrapping key it names. Uses no key and decrypts nothing (so nothing printed is authenticated); reads "
        + "only the header (a ranged GET of an object's first bytes, a GetItem projecting an item's header).")
final class InspectCommand implements Callable<Integer> {
  @ParentCommand
  EnvelopeCli root;

  @Mixin
  AwsOptions aws;

  @Parameters(paramLabel = "TARGET", description = "a file, - for standard input, s3://bucket/key, or "
      + "dynamodb://TABLE/partitionKey=VALUE[/sortKey=VALUE]")
  String target;

  @Option(names = "--version-id", paramLabel = "ID", description = "S3: this version of the object (the manifest "
      + "of inventory names older versions by it) instead of the current one")
  String versionId;

  @Override
  public Integer call() throws Exception {
    ObjectNode result;
    if (versionId != null && !S3Location.is(target)) {
      throw new UsageException("--version-id names a version of an S3 object: s3://bucket/key, not " + target);
    }
    if (TableLocation.is(target)) {
      try (DynamoDbClient dynamoDb = aws.dynamoDb()) {
        result = ItemInspection.describe(dynamoDb, target);
      }
    } else if (S3Location.is(target)) {
      S3Location location = S3Location.parse(target);
      try (S3Client s3 = aws.s3(location)) {
        result = describe(ObjectHeaderInfo.read(s3, location.bucket(), location.path(), versionId));
        if (versionId != null) {
          ((ObjectNode) result.get("object")).put("versionId", versionId);
        }
      }
    } else {
      try (InputStream in = target.equals("-") ? root.io().in()
          : new BufferedInputStream(Files.newInputStream(Path.of(target)))) {
        result = Json.header(MessageInfo.read(in));
      }
    }
    root.io().out().println(Json.pretty(result));
    return ExitCode.OK;
  }

  static ObjectNode describe(ObjectHeaderInfo info) {
    ObjectNode node = info.message().map(Json::header).orElseGet(Json::object);
    if (info.message().isEmpty()) {
      node.put("format", info.format().map(Enum::name).orElse("unencrypted"));
      info.s3ec().forEach(node::put);
      node.set("wrappingKeys", Json.MAPPER.valueToTree(info.wrappingKeyIds()));
    } else {
      node.put("objectFormat", info.format().orElseThrow().name());
    }
    ObjectNode object = node.putObject("object");
    object.put("bucket", info.bucket());
    object.put("key", info.key());
    object.put("eTag", info.eTag());
    object.put("size", info.size());
    return node;
  }
}
