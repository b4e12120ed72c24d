package dev.envelope.s3;

import dev.envelope.core.streams.StreamContract;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;

/** The stream that reads an object's start in ranged GETs keeps sdk-core's {@link StreamContract}. */
class RangedObjectStreamContractTest {
  @Test
  void rangedObjectStream() throws Exception {
    S3Client s3 = S3TestParts.s3();
    String bucket = S3TestParts.newBucket(s3, "ranged-stream");
    byte[] data = S3TestParts.random(50_000, 31);
    s3.putObject(b -> b.bucket(bucket).key("o"), RequestBody.fromBytes(data));
    GetObjectRequest request = GetObjectRequest.builder().bucket(bucket).key("o").build();
    StreamContract.check("ranged object stream", () -> new RangedObjectInputStream(s3, request, data.length), data);
  }
}
