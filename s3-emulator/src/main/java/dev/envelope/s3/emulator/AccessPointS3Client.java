package dev.envelope.s3.emulator;

import dev.envelope.s3.emulator.AccessPoint.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.services.s3.DelegatingS3Client;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.ObjectStorageClass;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.S3Request;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.utils.builder.SdkBuilder;

/**
 * An {@link S3Client} that serves access points by ARN and alias over the buckets of the client it wraps, as S3
 * does: a request naming an access point goes to its bucket (or, for an FSx for ONTAP volume, to the bucket that
 * holds the volume's files); every other request passes through untouched.
 *
 * <p>An access point attached to an FSx for ONTAP volume behaves as the FSx for ONTAP User Guide ("Access point
 * compatibility") describes: only the listed operations are served, the others fail with S3's {@code
 * NotImplemented} (501) and a message that names the access point and the limitation; objects show storage class
 * {@code FSX_ONTAP} and no other class may be written; {@code SSE-FSX} is the only server-side encryption; ACLs,
 * Requester Pays, versions, Object Lock, website redirects and conditional writes are refused; a single PUT is at
 * most 5 GB; a copy must stay within the access point; user metadata is dropped unless the access point keeps it.
 * Files written to the volume directory (the NFS/SMB face) have no stored ETag in the emulator; this client gives
 * them the MD5 of their content, as S3 does for a single PUT.
 *
 * <p>Rewriting goes through the SDK's own field model ({@link SdkField}), so every operation, present and future,
 * is routed the same way. Thread-safe.
 */
public final class AccessPointS3Client extends DelegatingS3Client {
  /** Operations an access point on an FSx for ONTAP volume serves (FSx for ONTAP User Guide, December 2026). */
  static final Set<String> FSX_OPERATIONS = Set.of("AbortMultipartUpload", "CompleteMultipartUpload", "CopyObject",
      "CreateMultipartUpload", "DeleteObject", "DeleteObjects", "DeleteObjectTagging", "GetBucketLocation",
      "GetObject", "GetObjectAttributes", "GetObjectTagging", "HeadBucket", "HeadObject", "ListMultipartUploads",
      "ListObjects", "ListObjectsV2", "ListParts", "PutObject", "PutObjectTagging", "UploadPart", "UploadPartCopy");
  /** The largest single PUT (the guide: "Maximum object size is 5 GB for uploads"). */
  static final long MAX_PUT_BYTES = 5L << 30;

  /** Request members that ask for a feature the FSx guide lists as not supported, and that feature's name. */
  private static final Map<String, String> UNSUPPORTED_FEATURES = Map.ofEntries(
      Map.entry("ACL", "access control lists (ACLs)"), Map.entry("GrantFullControl", "access control lists (ACLs)"),
      Map.entry("GrantRead", "access control lists (ACLs)"), Map.entry("GrantReadACP", "access control lists (ACLs)"),
      Map.entry("GrantWriteACP", "access control lists (ACLs)"), Map.entry("RequestPayer", "Requester Pays"),
      Map.entry("VersionId", "object versioning"), Map.entry("ObjectLockMode", "Object Lock"),
      Map.entry("ObjectLockRetainUntilDate", "Object Lock"), Map.entry("ObjectLockLegalHoldStatus", "Object Lock"),
      Map.entry("WebsiteRedirectLocation", "static website hosting"),
      Map.entry("SSEKMSKeyId", "server-side encryption other than SSE-FSX"),
      Map.entry("SSECustomerAlgorithm", "server-side encryption other than SSE-FSX"));
  private static final Set<String> WRITES = Set.of("PutObject", "CompleteMultipartUpload", "CopyObject");

  private final S3Client s3;
  private final Function<String, Optional<AccessPoint>> accessPoints;

  AccessPointS3Client(S3Client s3, Function<String, Optional<AccessPoint>> accessPoints) {
    super(s3);
    this.s3 = s3;
    this.accessPoints = accessPoints;
  }

  @Override
  protected <T extends S3Request, ReturnT> ReturnT invokeOperation(T request, Function<T, ReturnT> operation) {
    Routed<T> routed = route(request);
    if (routed.accessPoint() == null) {
      return operation.apply(request);
    }
    ReturnT response = operation.apply(routed.request());
    return routed.accessPoint().dataSource() == DataSource.FSX_ONTAP_VOLUME
        ? asFsxResponse(response, routed) : response;
  }

  @Override
  public <ReturnT> ReturnT getObject(GetObjectRequest request,
      ResponseTransformer<GetObjectResponse, ReturnT> transformer) {
    Routed<GetObjectRequest> routed = route(request);
    if (routed.accessPoint() == null) {
      return s3.getObject(request, transformer);
    }
    if (routed.accessPoint().dataSource() != DataSource.FSX_ONTAP_VOLUME) {
      return s3.getObject(routed.request(), transformer);
    }
    AccessPoint ap = routed.accessPoint();
    String key = request.key();
    return s3.getObject(routed.request(), new ResponseTransformer<GetObjectResponse, ReturnT>() {
      @Override
      public ReturnT transform(GetObjectResponse response, AbortableInputStream in) throws Exception {
        GetObjectResponse.Builder b = response.toBuilder().storageClass(AccessPoint.FSX_ONTAP_STORAGE_CLASS);
        if (response.eTag() == null) {
          b.eTag(contentETag(ap.dataSourceName(), key));
        }
        if (!ap.userMetadataKept()) {
          b.metadata(Map.of());
        }
        return transformer.transform(b.build(), in);
      }

      @Override
      public boolean needsConnectionLeftOpen() {
        return transformer.needsConnectionLeftOpen(); // a stream handed to the caller stays open
      }
    });
  }

  /** The request for the access point's data source, and the access point; or the request as it was. */
  private record Routed<T>(T request, AccessPoint accessPoint, String name) {}

  private <T extends S3Request> Routed<T> route(T request) {
    Map<String, SdkField<?>> fields = members(request);
    String operation = request.getClass().getSimpleName().replace("Request", "");
    if (fields.containsKey("SourceBucket")) { // CopyObject, UploadPartCopy
      String source = (String) fields.get("SourceBucket").getValueOrDefault(request);
      String destination = (String) fields.get("DestinationBucket").getValueOrDefault(request);
      AccessPoint from = find(source);
      AccessPoint to = find(destination);
      if (from == null && to == null) {
        return new Routed<>(request, null, destination);
      }
      AccessPoint fsx = from != null && from.dataSource() == DataSource.FSX_ONTAP_VOLUME ? from
          : to != null && to.dataSource() == DataSource.FSX_ONTAP_VOLUME ? to : null;
      if (fsx != null && from != to) {
        throw error(400, "InvalidRequest", operation + " from " + source + " to " + destination + " is not "
            + "supported: access point " + fsx.name() + " is attached to an FSx for ONTAP volume, and such access "
            + "points copy only within themselves (source and destination in the same access point)");
      }
      AccessPoint ap = to != null ? to : from;
      checkFsx(ap, operation, request, destination);
      T rewritten = with(request, Map.of("SourceBucket", from != null ? from.dataSourceName() : source,
          "DestinationBucket", to != null ? to.dataSourceName() : destination), ap);
      return new Routed<>(rewritten, ap, destination);
    }
    SdkField<?> bucketField = fields.get("Bucket");
    if (bucketField == null) {
      return new Routed<>(request, null, null);
    }
    String bucket = (String) bucketField.getValueOrDefault(request);
    AccessPoint ap = find(bucket);
    if (ap == null) {
      return new Routed<>(request, null, bucket);
    }
    checkFsx(ap, operation, request, bucket);
    return new Routed<>(with(request, Map.of("Bucket", ap.dataSourceName()), ap), ap, bucket);
  }

  /** The access point {@code bucket} names; null for a plain bucket name; NoSuchBucket for an unknown one. */
  private AccessPoint find(String bucket) {
    if (bucket == null) {
      return null;
    }
    Optional<AccessPoint> ap = accessPoints.apply(bucket);
    if (ap.isPresent()) {
      return ap.get();
    }
    if (bucket.startsWith("arn:") || bucket.endsWith("-s3alias")) {
      throw error(404, "NoSuchBucket", "No access point named " + bucket + " in this emulator; create it with "
          + "S3Emulator.createAccessPoint");
    }
    return null;
  }

  private static void checkFsx(AccessPoint ap, String operation, S3Request request, String name) {
    if (ap.dataSource() != DataSource.FSX_ONTAP_VOLUME) {
      return;
    }
    String where = "access point " + ap.name() + " (" + name + "), attached to FSx for ONTAP volume "
        + ap.dataSourceName();
    if (!FSX_OPERATIONS.contains(operation)) {
      throw error(501, "NotImplemented", operation + " is not supported through " + where + ": access points on "
          + "FSx for ONTAP volumes serve only the object operations in 'Access point compatibility' of the FSx for "
          + "ONTAP User Guide (no bucket notifications, ACLs, bucket policies, CORS, object versions, legal holds, "
          + "retention or restores)");
    }
    Map<String, SdkField<?>> fields = members(request);
    for (Map.Entry<String, String> feature : UNSUPPORTED_FEATURES.entrySet()) {
      SdkField<?> field = fields.get(feature.getKey());
      if (field != null && field.getValueOrDefault(request) != null) {
        throw error(501, "NotImplemented", operation + " with " + feature.getKey() + " is not supported through "
            + where + ": FSx for ONTAP access points do not support " + feature.getValue());
      }
    }
    if (WRITES.contains(operation)) {
      for (String condition : List.of("IfMatch", "IfNoneMatch")) {
        SdkField<?> field = fields.get(condition);
        if (field != null && field.getValueOrDefault(request) != null) {
          throw error(501, "NotImplemented", operation + " with " + condition + " is a conditional write, not "
              + "supported through " + where);
        }
      }
    }
    SdkField<?> storageClass = fields.get("StorageClass");
    Object requested = storageClass == null ? null : storageClass.getValueOrDefault(request);
    if (requested != null && !AccessPoint.FSX_ONTAP_STORAGE_CLASS.equals(requested)) {
      throw error(400, "InvalidStorageClass", "The storage class you specified is not valid: " + requested
          + " through " + where + " (FSX_ONTAP is the only storage class of an FSx for ONTAP volume)");
    }
    SdkField<?> sse = fields.get("ServerSideEncryption");
    Object encryption = sse == null ? null : sse.getValueOrDefault(request);
    if (encryption != null && !ServerSideEncryption.AWS_FSX.toString().equals(encryption)) {
      throw error(400, "InvalidArgument", "Server-side encryption " + encryption + " is not supported through "
          + where + ": SSE-FSX (aws:fsx) is the only mode");
    }
    SdkField<?> length = fields.get("ContentLength");
    Object contentLength = length == null || !operation.equals("PutObject") ? null
        : length.getValueOrDefault(request);
    if (contentLength instanceof Long n && n > MAX_PUT_BYTES) {
      throw error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size: " + n + " bytes "
          + "through " + where + " (5 GB per PUT; use a multipart upload)");
    }
  }

  /** The request with the given members replaced, and user metadata removed where the data source drops it. */
  @SuppressWarnings("unchecked")
  private static <T extends S3Request> T with(T request, Map<String, String> members, AccessPoint ap) {
    Object builder = request.toBuilder();
    Map<String, SdkField<?>> fields = members(request);
    members.forEach((member, value) -> fields.get(member).set(builder, value));
    SdkField<?> metadata = fields.get("Metadata");
    if (metadata != null && !ap.userMetadataKept()) {
      metadata.set(builder, null);
    }
    return (T) ((SdkBuilder<?, ?>) builder).build();
  }

  /** Responses as an FSx access point gives them: FSX_ONTAP, an ETag for every file, its own name in listings. */
  @SuppressWarnings("unchecked")
  private <ReturnT> ReturnT asFsxResponse(ReturnT response, Routed<?> routed) {
    AccessPoint ap = routed.accessPoint();
    if (response instanceof HeadObjectResponse head) {
      HeadObjectResponse.Builder b = head.toBuilder().storageClass(AccessPoint.FSX_ONTAP_STORAGE_CLASS);
      if (head.eTag() == null) {
        b.eTag(contentETag(ap.dataSourceName(), keyOf(routed.request())));
      }
      if (!ap.userMetadataKept()) {
        b.metadata(Map.of());
      }
      return (ReturnT) b.build();
    }
    if (response instanceof ListObjectsV2Response list) {
      return (ReturnT) list.toBuilder().name(routed.name()).contents(asFsxObjects(list.contents(), ap)).build();
    }
    if (response instanceof ListObjectsResponse list) {
      return (ReturnT) list.toBuilder().name(routed.name()).contents(asFsxObjects(list.contents(), ap)).build();
    }
    return response;
  }

  private List<S3Object> asFsxObjects(List<S3Object> objects, AccessPoint ap) {
    return objects.stream().map(o -> o.toBuilder().storageClass(ObjectStorageClass.FSX_ONTAP)
        .eTag(o.eTag() != null ? o.eTag() : contentETag(ap.dataSourceName(), o.key())).build()).toList();
  }

  private static String keyOf(Object request) {
    S3Request r = (S3Request) request;
    return (String) members(r).get("Key").getValueOrDefault(r);
  }

  /** A file written to the volume directory has no stored ETag: the MD5 of its content, as S3 gives a PUT. */
  private String contentETag(String bucket, String key) {
    try (InputStream in = s3.getObject(b -> b.bucket(bucket).key(key))) {
      MessageDigest md5 = MessageDigest.getInstance("MD5");
      byte[] buffer = new byte[64 << 10];
      for (int n; (n = in.read(buffer)) > 0; ) {
        md5.update(buffer, 0, n);
      }
      return "\"" + HexFormat.of().formatHex(md5.digest()) + "\"";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is part of every JDK", e);
    }
  }

  /** The request's fields by member name (the SDK's own map is keyed by wire name, e.g. {@code x-amz-acl}). */
  private static Map<String, SdkField<?>> members(S3Request request) {
    return request.sdkFields().stream().collect(Collectors.toMap(SdkField::memberName, f -> f));
  }

  static S3Exception error(int status, String code, String message) {
    S3Exception.Builder builder = code.equals("NoSuchBucket") ? NoSuchBucketException.builder()
        : S3Exception.builder();
    return (S3Exception) builder.statusCode(status).message(message)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).serviceName("S3").build())
        .build();
  }
}
