package dev.envelope.localaws.internal;

import dev.envelope.kms.auth.SigV4Verifier;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Serves S3 by forwarding to S3Proxy on its loopback port, in path style (a virtual-host-style request's bucket
 * moves from Host into the path). The front door has authenticated the caller; the body goes on decoded from
 * {@code aws-chunked} with every chunk signature checked ({@link AwsChunkedDecoder}) or with its declared SHA-256
 * checked ({@link PayloadHashCheck}), so S3Proxy only ever receives plain bodies of known length and never a
 * body that failed. Responses stream back as they come. What S3Proxy does not serve is answered here: reads by
 * part number ({@link PartNumberReads}) from the part sizes noted as uploads pass ({@link UploadNotes}), object
 * tagging ({@link TaggingRequests}), and bodies typed as forms ({@link #shieldFormContentType}). Thread-safe.
 */
public final class S3Forwarder implements java.io.Closeable {
  /** Request headers that describe the hop, the signature or the encoding, not the object. */
  private static final Set<String> NOT_FORWARDED = Set.of("host", "connection", "content-length", "expect",
      "transfer-encoding", "upgrade", "authorization", "x-amz-content-sha256", "x-amz-decoded-content-length",
      "x-amz-trailer", "x-amz-date", "x-amz-security-token", "keep-alive", "te", "trailer", "proxy-connection",
      "http2-settings", "date", "via", "warning", "referer", "content-encoding", "amz-sdk-invocation-id",
      "amz-sdk-request",
      // S3Proxy answers 501 to the size a completion expects (the SDK's multipart upload sends it): checked here.
      "x-amz-mp-object-size",
      // S3Proxy answers 501 to tagging: the front door keeps tags itself (TaggingRequests).
      "x-amz-tagging", "x-amz-tagging-directive");
  private static final Set<String> NOT_RETURNED = Set.of("connection", "transfer-encoding", "keep-alive",
      "content-length", "date", "server");

  /** The most of a refused request's body read before answering it ({@link #refuse}). */
  private static final long REFUSAL_DRAIN = 64L << 20;
  /** Where the store keeps a form content type it must not see ({@link #shieldFormContentType}). */
  private static final String FORM_CONTENT_TYPE = "x-amz-meta-envelope-local-aws-content-type";

  private final java.util.concurrent.Future<URI> storeEndpoint;
  private final UploadNotes uploads;
  private final PartNumberReads partReads;
  private final TaggingRequests tagging;
  private volatile LoopbackHttpClient store;

  /**
   * {@code storeEndpoint} is S3Proxy's endpoint once it has started: S3 starts beside the other services, and only
   * S3 requests wait for it. {@code layoutFile} and {@code tagFile} keep the part sizes of objects uploaded in parts
   * and objects' tags across restarts (null: in memory only).
   */
  public S3Forwarder(java.util.concurrent.Future<URI> storeEndpoint, Path layoutFile, Path tagFile) {
    this.storeEndpoint = storeEndpoint;
    PartLayouts layouts = new PartLayouts(layoutFile);
    this.tagging = new TaggingRequests(new ObjectTags(tagFile));
    this.uploads = new UploadNotes(layouts, tagging.tags());
    this.partReads = new PartNumberReads(layouts, tagging);
  }

  /** The client of the started store; a store that failed to start is an IOException naming why. */
  private LoopbackHttpClient store() throws IOException {
    LoopbackHttpClient client = store;
    if (client == null) {
      synchronized (this) {
        if (store == null) {
          URI endpoint;
          try {
            endpoint = storeEndpoint.get();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while S3 started");
          } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("S3 (S3Proxy) did not start: " + e.getCause().getMessage(), e.getCause());
          }
          store = new LoopbackHttpClient(new java.net.InetSocketAddress(endpoint.getHost(), endpoint.getPort()));
        }
        client = store;
      }
    }
    return client;
  }

  public void forward(Incoming in, String virtualHostBucket, Callers.Caller caller, Reply reply) throws IOException {
    String path = virtualHostBucket == null ? in.rawPath() : "/" + virtualHostBucket + in.rawPath();
    String resource = path;
    Map<String, String> query = SigV4Verifier.queryParameters(in.rawQuery());
    if (PartNumberReads.isPartRead(in.method(), query)) {
      LoopbackHttpClient client = storeOrAnswer(resource, reply);
      if (client != null) {
        partReads.serve(in, path, query, client, reply);
      }
      return;
    }
    TagSet requestedTags;
    try {
      requestedTags = TaggingRequests.requested(in);
    } catch (TagSet.InvalidTags e) {
      refuse(in, ErrorShapes.s3(400, e.code(), e.getMessage(), resource), reply);
      return;
    }
    String contentSha256 = in.header("x-amz-content-sha256");
    InputStream body = in.body();
    long length = in.contentLength();
    boolean chunked = AwsChunkedDecoder.isAwsChunked(contentSha256);
    if (chunked) {
      String decoded = in.header("x-amz-decoded-content-length");
      if (decoded == null) {
        refuse(in, ErrorShapes.s3(411, "MissingContentLength", "An aws-chunked body needs "
            + "x-amz-decoded-content-length.", resource), reply);
        return;
      }
      try {
        length = Long.parseLong(decoded);
      } catch (NumberFormatException e) {
        refuse(in, ErrorShapes.s3(400, "InvalidArgument", "x-amz-decoded-content-length is not a number",
            resource), reply);
        return;
      }
      body = new AwsChunkedDecoder(body, contentSha256, caller.verified(), length, in.header("x-amz-trailer"),
          resource);
    } else if (caller.verified() != null && PayloadHashCheck.isHexHash(contentSha256)) {
      body = new PayloadHashCheck(body, contentSha256, resource);
    }

    List<Map.Entry<String, String>> headers = forwardedHeaders(in);
    String encoding = in.header("content-encoding");
    if (encoding != null) {
      // aws-chunked is the transfer's, not the object's: S3 stores the remaining encodings (gzip, ...).
      String kept = String.join(",", java.util.Arrays.stream(encoding.split(",")).map(String::trim)
          .filter(e -> !e.equalsIgnoreCase("aws-chunked") && !e.isEmpty()).toList());
      if (!kept.isEmpty()) {
        headers.add(Map.entry("Content-Encoding", kept));
      }
    }
    shieldFormContentType(headers, query);
    boolean hasBody = chunked || length > 0 || length < 0 && hasBody(in);
    if (chunked && length == 0) {
      // An empty object: the decoder still has to read (and verify) the final chunk and trailer.
      try {
        body.transferTo(OutputStream.nullOutputStream());
      } catch (RejectedBody rejected) {
        reply.send(rejected.answer());
        return;
      }
      hasBody = false;
    }
    String target = path + (in.rawQuery().isEmpty() ? "" : "?" + in.rawQuery());
    LoopbackHttpClient client = storeOrAnswer(resource, reply);
    if (client == null) {
      return;
    }
    if (TaggingRequests.isObjectTagging(path, query)) {
      tagging.serve(in.method(), path, body, client, reply);
      return;
    } else if (in.method().equals("POST") && query.containsKey("uploads") && !requestedTags.isEmpty()) {
      tagging.createUpload(client, target, headers, requestedTags, reply);
      return;
    } else if (in.method().equals("POST") && query.containsKey("delete") && hasBody) {
      tagging.deleteObjects(client, target, path, headers, body, reply);
      return;
    }
    String uploadId = query.get("uploadId");
    if (uploadId != null && in.method().equals("POST") && hasBody) {
      uploads.complete(client, target, headers, body, uploadId, in.header("x-amz-mp-object-size"),
          objectName(path), resource, reply);
      return;
    }
    LoopbackHttpClient.Response response;
    try {
      response = client.exchange(in.method(), target, headers, hasBody ? body : null, hasBody ? length : 0);
    } catch (RejectedBody rejected) {
      reply.send(rejected.answer());
      return;
    }
    Map<String, String> extra = Map.of();
    if (response.status() / 100 == 2) {
      extra = noteAccepted(in, query, path, requestedTags, length, client);
    }
    relay(response, extra, reply);
  }

  /**
   * Notes what a request the store accepted changed (a part's size, an aborted upload, an object's tags) and
   * returns the headers its answer gains (a read's tag count).
   */
  private Map<String, String> noteAccepted(Incoming in, Map<String, String> query, String path, TagSet requestedTags,
      long length, LoopbackHttpClient client) throws IOException {
    String uploadId = query.get("uploadId");
    if (uploadId != null) {
      if (in.method().equals("PUT") && query.containsKey("partNumber")) {
        uploads.partStored(in, client, uploadId, query.get("partNumber"), length);
      } else if (in.method().equals("DELETE")) {
        uploads.aborted(uploadId);
      }
      return Map.of();
    }
    tagging.written(in, query, path, requestedTags);
    boolean read = in.method().equals("GET") || in.method().equals("HEAD");
    return read && TaggingRequests.isPlain(query) ? tagging.countHeader(objectName(path)) : Map.of();
  }

  /**
   * Answers a request refused before its body was read, after reading (and dropping) up to
   * {@value #REFUSAL_DRAIN} bytes of that body: a client still sending it reads the answer instead of failing to
   * write ("Error writing request body to server") and retrying. A longer body is cut off.
   */
  static void refuse(Incoming in, Reply.Answer answer, Reply reply) throws IOException {
    try {
      // Reading is also what makes the server send "100 Continue" to a client that waits for it before its body.
      byte[] buffer = new byte[8192];
      long left = REFUSAL_DRAIN;
      int n;
      while (left > 0 && (n = in.body().read(buffer, 0, (int) Math.min(buffer.length, left))) >= 0) {
        left -= n;
      }
    } catch (IOException e) {
      // the client went away or sent less: the answer is still worth sending
    }
    reply.send(answer);
  }

  /** The started store's client, or null after answering the request with why there is none. */
  private LoopbackHttpClient storeOrAnswer(String resource, Reply reply) throws IOException {
    try {
      return store();
    } catch (IOException e) {
      reply.send(ErrorShapes.s3(500, "InternalError", e.getMessage(), resource));
      return null;
    }
  }

  /** The caller's request headers that go on to the store (not the hop's, the signature's or the encoding's). */
  static List<Map.Entry<String, String>> forwardedHeaders(Incoming in) {
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    in.headers().forEach((name, values) -> {
      if (!NOT_FORWARDED.contains(name)) {
        values.forEach(v -> headers.add(Map.entry(name, v)));
      }
    });
    return headers;
  }

  /** Streams the store's response to the caller, with {@code extra} headers added. */
  static void relay(LoopbackHttpClient.Response response, Map<String, String> extra, Reply reply)
      throws IOException {
    Map<String, List<String>> returned = returnedHeaders(response);
    extra.forEach((name, value) -> returned.put(name, List.of(value)));
    try (response; OutputStream to = reply.stream(response.status(), returned, response.contentLength())) {
      response.body().transferTo(to);
    }
  }

  /** Answers a HEAD from the store's HEAD of the whole object, as the HEAD of one part of it. */
  static void relayHead(LoopbackHttpClient.Response head, int status, long length, String contentRange,
      Map<String, String> extra, Reply reply) throws IOException {
    Map<String, List<String>> returned = returnedHeaders(head);
    returned.put("Content-Range", List.of(contentRange));
    extra.forEach((name, value) -> returned.put(name, List.of(value)));
    reply.stream(status, returned, length).close();
  }

  /**
   * S3Proxy's servlet layer reads a body typed {@code application/x-www-form-urlencoded} as form fields and stores
   * the object empty (or answers 400 for bytes that are not form text); S3 stores such a body as it is. So the
   * store receives such requests typed {@code application/octet-stream}, with the type the caller gave kept in
   * metadata of its own that {@link #returnedHeaders} turns back into the Content-Type it answers.
   */
  private static void shieldFormContentType(List<Map.Entry<String, String>> headers, Map<String, String> query) {
    for (int i = 0; i < headers.size(); i++) {
      Map.Entry<String, String> h = headers.get(i);
      if (h.getKey().equalsIgnoreCase("content-type")
          && h.getValue().toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
        headers.set(i, Map.entry("Content-Type", "application/octet-stream"));
        if (!query.containsKey("uploadId")) { // a part or a completion has no type of its own
          headers.add(Map.entry(FORM_CONTENT_TYPE, h.getValue()));
        }
        return;
      }
    }
  }

  static Map<String, List<String>> returnedHeaders(LoopbackHttpClient.Response response) {
    Map<String, List<String>> returned = new LinkedHashMap<>();
    String formContentType = null;
    for (Map.Entry<String, String> h : response.headers()) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (name.equals(FORM_CONTENT_TYPE)) {
        formContentType = h.getValue();
      } else if (!NOT_RETURNED.contains(name)) {
        returned.computeIfAbsent(h.getKey(), k -> new ArrayList<>()).add(h.getValue());
      }
    }
    if (formContentType != null) {
      returned.keySet().removeIf(name -> name.equalsIgnoreCase("content-type"));
      returned.put("Content-Type", List.of(formContentType));
    }
    return returned;
  }

  static Map<String, String> singleValued(Map<String, List<String>> headers) {
    Map<String, String> out = new LinkedHashMap<>();
    headers.forEach((name, values) -> out.put(name, String.join(",", values)));
    return out;
  }

  /** The object a path names: bucket and key, percent-decoded (S3 reads {@code %7E} and {@code ~} alike). */
  static String objectName(String rawPath) {
    try {
      return java.net.URLDecoder.decode(rawPath.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return rawPath; // a malformed escape: the store refuses or reads it as it is
    }
  }

  /** {@code rawQuery} without parameter {@code name}, with its leading {@code ?}, or empty. */
  static String queryWithout(String rawQuery, String name) {
    StringBuilder kept = new StringBuilder();
    for (String pair : rawQuery.split("&")) {
      String key = pair.indexOf('=') < 0 ? pair : pair.substring(0, pair.indexOf('='));
      if (!pair.isEmpty() && !key.equals(name)) {
        kept.append(kept.length() == 0 ? "?" : "&").append(pair);
      }
    }
    return kept.toString();
  }

  /** Closes the idle connections to the store. */
  @Override
  public void close() {
    LoopbackHttpClient client = store;
    if (client != null) {
      client.close();
    }
  }

  private static boolean hasBody(Incoming in) {
    String te = in.header("transfer-encoding");
    return te != null && te.toLowerCase(Locale.ROOT).contains("chunked");
  }
}
