package dev.envelope.lambda;

import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;

/**
 * The objects an S3 event notification names, from the Lambda event type or from the JSON an SQS message carries
 * (parsed with the SDK's own JSON reader: no data-binding library in the layer). Object keys in notifications
 * are URL-encoded, with '+' for spaces.
 */
final class S3EventRecords {
  private S3EventRecords() {}

  static List<ObjectRef> of(S3Event event) {
    List<ObjectRef> refs = new ArrayList<>();
    if (event == null || event.getRecords() == null) {
      return refs;
    }
    for (S3EventNotification.S3EventNotificationRecord r : event.getRecords()) {
      S3EventNotification.S3Entity s3 = r.getS3();
      // Lambda's deserializer gives "" for fields the notification leaves out (unversioned buckets have no
      // versionId, and asking S3 for version "" is an error).
      refs.add(new ObjectRef(s3.getBucket().getName(), s3.getObject().getUrlDecodedKey(),
          blankToNull(s3.getObject().geteTag()), blankToNull(s3.getObject().getVersionId())));
    }
    return refs;
  }

  /**
   * The objects in an S3 notification's JSON (an SQS message body). S3's {@code s3:TestEvent}, sent when a
   * notification is configured, names none.
   *
   * @throws IllegalArgumentException when the body is not an S3 notification
   */
  static List<ObjectRef> fromJson(String body) {
    JsonNode root;
    try {
      root = JsonNode.parser().parse(body);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("message body is not JSON");
    }
    if (!root.isObject()) {
      throw new IllegalArgumentException("message body is not a JSON object");
    }
    if (text(root, "Event").filter("s3:TestEvent"::equals).isPresent()) {
      return List.of();
    }
    JsonNode records = root.field("Records").orElseThrow(() -> new IllegalArgumentException(
        "message body has no Records: not an S3 event notification"));
    if (!records.isArray()) {
      throw new IllegalArgumentException("Records is not an array");
    }
    List<ObjectRef> refs = new ArrayList<>();
    for (JsonNode record : records.asArray()) {
      JsonNode s3 = record.field("s3").orElseThrow(() -> new IllegalArgumentException("record has no s3 entity"));
      String bucket = s3.field("bucket").flatMap(b -> text(b, "name"))
          .orElseThrow(() -> new IllegalArgumentException("record has no bucket name"));
      JsonNode object = s3.field("object").orElseThrow(() -> new IllegalArgumentException("record has no object"));
      String key = text(object, "key").orElseThrow(() -> new IllegalArgumentException("record has no object key"));
      refs.add(new ObjectRef(bucket, URLDecoder.decode(key, StandardCharsets.UTF_8),
          blankToNull(text(object, "eTag").orElse(null)), blankToNull(text(object, "versionId").orElse(null))));
    }
    return refs;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static Optional<String> text(JsonNode node, String field) {
    return node.field(field).filter(JsonNode::isString).map(JsonNode::asString);
  }
}
