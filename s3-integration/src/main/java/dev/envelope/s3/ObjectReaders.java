package dev.envelope.s3;

import java.util.Map;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * Chooses the reader of an object from its metadata (and instruction file): the framed format's marker, else the
 * S3 Encryption Client's mapkeys, else no encryption at all, which is refused unless plaintext reads are allowed.
 */
final class ObjectReaders {
  private final ClientSettings settings;
  private final FramedObjects framed;
  private final S3ecObjectReader s3ec;
  private final ObjectReader plaintext;

  ObjectReaders(ClientSettings settings, FramedObjects framed) {
    this.settings = settings;
    this.framed = framed;
    this.s3ec = new S3ecObjectReader(settings);
    this.plaintext = new Plaintext();
  }

  ObjectReader forObject(String bucket, String key, Map<String, String> metadata) {
    if (EncryptingS3Client.FRAMED_FORMAT_VALUE.equals(metadata.get(EncryptingS3Client.FORMAT_METADATA))) {
      return framed;
    }
    S3ecObjectReader.Mapkeys mapkeys = s3ec.find(bucket, key, metadata);
    return mapkeys == null ? plaintext : s3ec.forObject(mapkeys);
  }

  /** Objects without encryption metadata: returned as they are when allowed, else refused. */
  private final class Plaintext implements ObjectReader {
    @Override
    public Decrypted read(GetObjectRequest request, ResponseInputStream<GetObjectResponse> in,
        Map<String, String> context) {
      check(request);
      return new Decrypted(in.response(), in);
    }

    @Override
    public Decrypted readRange(GetObjectRequest request, HeadObjectResponse head, Map<String, String> context) {
      check(request);
      ResponseInputStream<GetObjectResponse> in = settings.s3().getObject(request);
      return new Decrypted(in.response(), in);
    }

    private void check(GetObjectRequest request) {
      if (!settings.plaintextReads()) {
        throw new NotEncryptedObjectException(S3Requests.resource(request.bucket(), request.key())
            + " is not encrypted "
            + "(no envelope or S3 Encryption Client metadata, no instruction file); enable plaintext reads to read "
            + "it");
      }
    }
  }
}
