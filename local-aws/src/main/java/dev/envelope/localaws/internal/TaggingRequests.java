package dev.envelope.localaws.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Object tagging, served by the front door because S3Proxy answers 501 to all of it: GetObjectTagging,
 * PutObjectTagging and DeleteObjectTagging ({@code ?tagging} on an object), {@code x-amz-tagging} on PutObject,
 * CreateMultipartUpload and CopyObject (with {@code x-amz-tagging-directive} COPY or REPLACE), and
 * {@code x-amz-tagging-count} on GetObject and HeadObject. The tags live in {@link ObjectTags}; each write and
 * delete that passes the front door updates them. Thread-safe.
 */
final class TaggingRequests {
  private static final int MAX_TAGGING_BODY = 64 * 1024;
  /** A DeleteObjects body lists at most 1,000 keys. */
  private static final int MAX_DELETE_BODY = 4 << 20;
  /** Query parameters that do not make a request a subresource's. */
  private static final Set<String> PLAIN = Set.of("x-id", "versionId");
  private static final Pattern UPLOAD_ID = Pattern.compile("<UploadId>([^<]+)</UploadId>");

  private final ObjectTags tags;

  TaggingRequests(ObjectTags tags) {
    this.tags = tags;
  }

  ObjectTags tags() {
    return tags;
  }

  /** True for {@code ?tagging} on an object (a bucket's tagging goes on to the store). */
  static boolean isObjectTagging(String path, Map<String, String> query) {
    return query.containsKey("tagging") && path.indexOf('/', 1) > 0 && path.indexOf('/', 1) < path.length() - 1;
  }

  /** True for a request on the object itself, not one of its subresources. */
  static boolean isPlain(Map<String, String> query) {
    return PLAIN.containsAll(query.keySet());
  }

  /** The tags an object write asks for ({@code x-amz-tagging}), none when it names none. */
  static TagSet requested(Incoming in) throws TagSet.InvalidTags {
    String header = in.header("x-amz-tagging");
    return header == null ? TagSet.EMPTY : TagSet.fromHeader(header);
  }

  /** Answers GET, PUT or DELETE {@code ?tagging} on an object that exists. */
  void serve(String method, String path, InputStream body, LoopbackHttpClient store, Reply reply)
      throws IOException {
    String object = S3Forwarder.objectName(path);
    try (LoopbackHttpClient.Response head = store.exchange("HEAD", path, List.of(), null, 0)) {
      if (head.status() == 404) {
        reply.send(ErrorShapes.s3(404, "NoSuchKey", "The specified key does not exist.", path));
        return;
      } else if (head.status() != 200) {
        reply.send(ErrorShapes.s3(head.status(), "InternalError", "The object could not be read (HTTP "
            + head.status() + ")", path));
        return;
      }
    }
    switch (method) {
      case "GET" -> reply.send(200, Map.of("Content-Type", "application/xml"),
          tags.of(object).orElse(TagSet.EMPTY).toXml().getBytes(StandardCharsets.UTF_8));
      case "PUT" -> {
        byte[] xml = SmallXmlBody.read(body, MAX_TAGGING_BODY, path, reply);
        if (xml == null) {
          return;
        }
        try {
          tags.set(object, TagSet.fromXml(xml));
        } catch (TagSet.InvalidTags e) {
          reply.send(ErrorShapes.s3(400, e.code(), e.getMessage(), path));
          return;
        }
        reply.send(200, Map.of(), new byte[0]);
      }
      case "DELETE" -> {
        tags.removed(object);
        reply.send(204, Map.of(), new byte[0]);
      }
      default -> reply.send(ErrorShapes.s3(405, "MethodNotAllowed", "The specified method is not allowed against "
          + "this resource.", path));
    }
  }

  /**
   * After a write or delete of {@code path} the store accepted: PutObject takes the tags it asked for, CopyObject
   * its source's (or, with {@code x-amz-tagging-directive: REPLACE}, those it asked for), DeleteObject drops them.
   */
  void written(Incoming in, Map<String, String> query, String path, TagSet requested) {
    if (!isPlain(query)) {
      return;
    }
    String object = S3Forwarder.objectName(path);
    switch (in.method()) {
      case "PUT" -> {
        String copySource = in.header("x-amz-copy-source");
        if (copySource != null && !"REPLACE".equalsIgnoreCase(in.header("x-amz-tagging-directive"))) {
          String source = copySource.startsWith("/") ? copySource : "/" + copySource;
          int version = source.indexOf("?versionId=");
          tags.set(object, tags.of(S3Forwarder.objectName(version < 0 ? source : source.substring(0, version)))
              .orElse(TagSet.EMPTY));
        } else {
          tags.set(object, requested);
        }
      }
      case "DELETE" -> tags.removed(object);
      default -> { }
    }
  }

  /** Forwards a CreateMultipartUpload that asks for tags, and notes them for its upload id. */
  void createUpload(LoopbackHttpClient store, String target, List<Map.Entry<String, String>> headers,
      TagSet requested, Reply reply) throws IOException {
    LoopbackHttpClient.Response response = store.exchange("POST", target, headers, null, 0);
    byte[] answer;
    try (response) {
      answer = response.body().readNBytes(1 << 20);
    }
    Matcher uploadId = UPLOAD_ID.matcher(new String(answer, StandardCharsets.UTF_8));
    if (response.status() == 200 && uploadId.find()) {
      tags.uploadCreated(uploadId.group(1), requested);
    }
    reply.send(response.status(), S3Forwarder.singleValued(S3Forwarder.returnedHeaders(response)), answer);
  }

  /**
   * Forwards a DeleteObjects and, once the store answered, drops the tags of the keys it listed (a key the store
   * could not delete has no tags worth keeping: S3 refuses deletes only for access or lock reasons, which the store
   * does not have).
   */
  void deleteObjects(LoopbackHttpClient store, String target, String path, List<Map.Entry<String, String>> headers,
      InputStream body, Reply reply) throws IOException {
    byte[] xml = SmallXmlBody.read(body, MAX_DELETE_BODY, path, reply);
    if (xml == null) {
      return;
    }
    LoopbackHttpClient.Response response = store.exchange("POST", target, headers, new ByteArrayInputStream(xml),
        xml.length);
    if (response.status() == 200) {
      String bucket = S3Forwarder.objectName(path).replaceAll("^/([^/]*).*$", "$1");
      try {
        for (String key : SmallXmlBody.texts(SmallXmlBody.parse(xml), "Object", "Key")) {
          if (key != null) {
            tags.removed("/" + bucket + "/" + key);
          }
        }
      } catch (IOException notXml) {
        // the store refused it as well, in its answer
      }
    }
    S3Forwarder.relay(response, Map.of(), reply);
  }

  /** {@code x-amz-tagging-count} for a read of {@code object}, when it has tags. */
  Map<String, String> countHeader(String object) {
    return tags.of(object).map(t -> Map.of("x-amz-tagging-count", Integer.toString(t.tags().size())))
        .orElse(Map.of());
  }
}
