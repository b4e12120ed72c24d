package dev.envelope.s3;

import java.util.Map;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * Reads objects of one format, chosen per object from its metadata by {@link ObjectReaders}. {@code context}
 * already binds the bucket and key.
 */
interface ObjectReader {
  /** Decrypts a whole object from its GET; on failure the caller closes {@code in}. */
  Decrypted read(GetObjectRequest request, ResponseInputStream<GetObjectResponse> in, Map<String, String> context);

  /** Reads {@code request.range()}; {@code request} is already pinned to {@code head}'s ETag. */
  Decrypted readRange(GetObjectRequest request, HeadObjectResponse head, Map<String, String> context);
}
