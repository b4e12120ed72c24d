package dev.envelope.localaws.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the front door notes of multipart uploads as they pass to S3Proxy: each stored part's size, and at
 * completion the object's part layout with its ETag ({@link PartLayouts}), which reads by part number need and
 * S3Proxy does not keep. Only what the store accepted is noted. Thread-safe.
 */
final class UploadNotes {
  /** A CompleteMultipartUpload body lists at most 10,000 parts: far below this. */
  private static final int MAX_COMPLETION_BODY = 16 << 20;
  private static final Pattern PART_NUMBER = Pattern.compile("<PartNumber>\\s*(\\d+)\\s*</PartNumber>");
  private static final Pattern COMPLETED_ETAG = Pattern.compile("<ETag>([^<]*)</ETag>");
  private static final Pattern COPY_RANGE = Pattern.compile("bytes=(\\d+)-(\\d+)");

  private final PartLayouts layouts;
  private final ObjectTags tags;

  UploadNotes(PartLayouts layouts, ObjectTags tags) {
    this.layouts = layouts;
    this.tags = tags;
  }

  /**
   * Notes the size of a part the store just accepted: its body's, or for UploadPartCopy the range it copied (the
   * whole source object when no range was given).
   */
  void partStored(Incoming in, LoopbackHttpClient store, String uploadId, String partNumber, long bodyLength)
      throws IOException {
    int number;
    try {
      number = Integer.parseInt(partNumber);
    } catch (NumberFormatException e) {
      return;
    }
    long size = bodyLength;
    String copySource = in.header("x-amz-copy-source");
    if (copySource != null) {
      String range = in.header("x-amz-copy-source-range");
      Matcher m = range == null ? null : COPY_RANGE.matcher(range);
      if (m != null && m.matches()) {
        size = Long.parseLong(m.group(2)) - Long.parseLong(m.group(1)) + 1;
      } else {
        String source = copySource.startsWith("/") ? copySource : "/" + copySource;
        int version = source.indexOf("?versionId=");
        try (LoopbackHttpClient.Response head = store.exchange("HEAD",
            version < 0 ? source : source.substring(0, version), List.of(), null, 0)) {
          size = head.status() == 200 ? head.contentLength() : -1;
        }
      }
    }
    if (size >= 0) {
      layouts.partStored(uploadId, number, size);
    }
  }

  void aborted(String uploadId) {
    layouts.aborted(uploadId);
    tags.uploadAborted(uploadId);
  }

  /**
   * Forwards a CompleteMultipartUpload and answers it, noting the object's layout when the store completed it. The
   * request body (the part list) and the answer are small, and read whole. {@code expectedSize} is the caller's
   * {@code x-amz-mp-object-size} (or null): a completion whose parts add up to another size is refused, as S3 does.
   */
  void complete(LoopbackHttpClient store, String target, List<Map.Entry<String, String>> headers, InputStream body,
      String uploadId, String expectedSize, String object, String resource, Reply reply) throws IOException {
    byte[] xml = SmallXmlBody.read(body, MAX_COMPLETION_BODY, resource, reply);
    if (xml == null) {
      return;
    }
    List<Integer> parts = partNumbers(new String(xml, StandardCharsets.UTF_8));
    if (expectedSize != null) {
      long expected;
      try {
        expected = Long.parseLong(expectedSize.trim());
      } catch (NumberFormatException e) {
        reply.send(ErrorShapes.s3(400, "InvalidArgument", "x-amz-mp-object-size must be a number of bytes: "
            + expectedSize, resource));
        return;
      }
      java.util.OptionalLong actual = parts == null ? java.util.OptionalLong.empty()
          : layouts.uploadedSize(uploadId, parts);
      if (actual.isPresent() && actual.getAsLong() != expected) {
        reply.send(ErrorShapes.s3(400, "InvalidRequest", "x-amz-mp-object-size says " + expected + " bytes; the "
            + "listed parts hold " + actual.getAsLong(), resource));
        return;
      }
    }
    LoopbackHttpClient.Response response = store.exchange("POST", target, headers, new ByteArrayInputStream(xml),
        xml.length);
    byte[] answer;
    try (response) {
      answer = response.body().readNBytes(MAX_COMPLETION_BODY);
    }
    String text = new String(answer, StandardCharsets.UTF_8);
    Matcher etag = COMPLETED_ETAG.matcher(text);
    // S3 may answer 200 with an error in the body; only a completed upload has a layout.
    if (response.status() == 200 && !text.contains("<Error>") && etag.find()) {
      tags.uploadCompleted(uploadId, object); // the tags its creation asked for, or none: they replace the old
      if (parts != null) {
        layouts.completed(object, uploadId, parts,
            PartNumberReads.unquoted(etag.group(1).replace("&quot;", "\"").replace("&#34;", "\"")));
      }
    }
    reply.send(response.status(), S3Forwarder.singleValued(S3Forwarder.returnedHeaders(response)), answer);
  }

  /** The part numbers a completion lists, in order; null when one is not a number (the store refuses it). */
  private static List<Integer> partNumbers(String completionXml) {
    List<Integer> numbers = new ArrayList<>();
    Matcher m = PART_NUMBER.matcher(completionXml);
    while (m.find()) {
      try {
        numbers.add(Integer.parseInt(m.group(1)));
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return numbers;
  }
}
