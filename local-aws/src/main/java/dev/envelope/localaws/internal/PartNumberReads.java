package dev.envelope.localaws.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code GetObject} and {@code HeadObject} by part number ({@code ?partNumber=N}), which S3Proxy answers 501 and
 * the SDK's multipart download and transfer manager send: answered as S3 does, from the part sizes the front door
 * noted ({@link PartLayouts}), as a ranged read pinned to the ETag the sizes belong to. An object stored whole is
 * one part. Status 206 with {@code Content-Range}, and {@code x-amz-mp-parts-count} for objects uploaded in parts;
 * a part beyond the last is 416 {@code InvalidPartNumber}; a part number with a Range header is 400. Thread-safe.
 */
final class PartNumberReads {
  /** An ETag of an object completed from parts: {@code "<hex>-<count>"}. */
  private static final Pattern MULTIPART_ETAG = Pattern.compile("\"?[0-9a-fA-F]+-\\d+\"?");
  /** Conditions the first HEAD has already decided; the read itself is pinned by If-Match on that HEAD's ETag. */
  private static final Set<String> DECIDED_BY_HEAD = Set.of("if-match", "if-none-match", "if-modified-since",
      "if-unmodified-since");
  /** A read that finds the object replaced since its HEAD starts over, a few times at most. */
  private static final int ATTEMPTS = 3;

  private final PartLayouts layouts;
  private final TaggingRequests tagging;

  PartNumberReads(PartLayouts layouts, TaggingRequests tagging) {
    this.layouts = layouts;
    this.tagging = tagging;
  }

  /** True for a read by part number (a part number with an upload id is UploadPart or ListParts instead). */
  static boolean isPartRead(String method, Map<String, String> query) {
    return (method.equals("GET") || method.equals("HEAD")) && query.containsKey("partNumber")
        && !query.containsKey("uploadId");
  }

  void serve(Incoming in, String path, Map<String, String> query, LoopbackHttpClient store, Reply reply)
      throws IOException {
    String object = S3Forwarder.objectName(path);
    int partNumber;
    try {
      partNumber = Integer.parseInt(query.get("partNumber"));
    } catch (NumberFormatException e) {
      partNumber = 0;
    }
    if (partNumber < 1 || partNumber > 10_000) {
      reply.send(ErrorShapes.s3(400, "InvalidArgument", "Part number must be an integer between 1 and 10000, "
          + "inclusive", path));
      return;
    }
    if (in.header("Range") != null) {
      reply.send(ErrorShapes.s3(400, "InvalidRequest", "Cannot specify both Range header and partNumber query "
          + "parameter", path));
      return;
    }
    String target = path + S3Forwarder.queryWithout(in.rawQuery(), "partNumber");
    List<Map.Entry<String, String>> headers = S3Forwarder.forwardedHeaders(in);
    for (int attempt = 1; ; attempt++) {
      LoopbackHttpClient.Response head = store.exchange("HEAD", target, headers, null, 0);
      head.close();
      if (head.status() != 200) {
        // Missing object, failed condition, 304: the store's own answer, with its error body for a GET.
        S3Forwarder.relay(in.method().equals("HEAD") ? head : store.exchange("GET", target, headers, null, 0),
            Map.of(), reply);
        return;
      }
      String etag = header(head, "ETag");
      long size = head.contentLength();
      long[] parts;
      boolean multipart = etag != null && MULTIPART_ETAG.matcher(etag).matches();
      Optional<PartLayouts.Layout> layout = etag == null ? Optional.empty() : layouts.of(object, unquoted(etag));
      if (layout.isPresent()) {
        parts = layout.get().partSizes();
      } else if (!multipart) {
        parts = new long[] {size};
      } else {
        reply.send(ErrorShapes.s3(501, "NotImplemented", "The part sizes of " + object + " are not known here (it "
            + "was completed from parts before this endpoint noted them, e.g. before a restart without a data "
            + "directory); read it by byte range", path));
        return;
      }
      if (partNumber > parts.length) {
        reply.send(ErrorShapes.s3(416, "InvalidPartNumber", "The requested partnumber is not satisfiable", path));
        return;
      }
      long first = 0;
      for (int i = 0; i < partNumber - 1; i++) {
        first += parts[i];
      }
      long partSize = parts[partNumber - 1];
      Map<String, String> extra = new java.util.HashMap<>(tagging.countHeader(object));
      if (multipart) {
        extra.put("x-amz-mp-parts-count", Integer.toString(parts.length));
      }
      if (size == 0) {
        S3Forwarder.relay(store.exchange(in.method(), target, headers, null, 0), extra, reply);
        return;
      }
      String contentRange = "bytes " + first + "-" + (first + partSize - 1) + "/" + size;
      if (in.method().equals("HEAD")) {
        S3Forwarder.relayHead(head, 206, partSize, contentRange, extra, reply);
        return;
      }
      List<Map.Entry<String, String>> pinned = new ArrayList<>();
      for (Map.Entry<String, String> h : headers) {
        if (!DECIDED_BY_HEAD.contains(h.getKey().toLowerCase(Locale.ROOT))) {
          pinned.add(h);
        }
      }
      pinned.add(Map.entry("If-Match", etag));
      pinned.add(Map.entry("Range", "bytes=" + first + "-" + (first + partSize - 1)));
      LoopbackHttpClient.Response part = store.exchange("GET", target, pinned, null, 0);
      if (part.status() == 412 && attempt < ATTEMPTS) {
        part.close(); // replaced since the HEAD: read the new object's layout
        continue;
      }
      S3Forwarder.relay(part, extra, reply);
      return;
    }
  }

  private static String header(LoopbackHttpClient.Response response, String name) {
    for (Map.Entry<String, String> h : response.headers()) {
      if (h.getKey().equalsIgnoreCase(name)) {
        return h.getValue();
      }
    }
    return null;
  }

  static String unquoted(String etag) {
    return etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"") ? etag.substring(1, etag.length() - 1)
        : etag;
  }
}
