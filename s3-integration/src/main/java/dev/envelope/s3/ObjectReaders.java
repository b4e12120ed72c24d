package dev.envelope.s3;

import dev.envelope.core.AlgorithmSuite;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * Chooses the reader of an object from its metadata (and instruction file): the framed format's marker, else the
 * S3 Encryption Client's mapkeys, else the body: a framed message is recognized by its first bytes (an object on a
 * volume that keeps no metadata), and anything else is not encrypted, refused unless plaintext reads are allowed.
 * The body is looked at last, after the instruction file, so an S3EC object (random ciphertext) is never taken for
 * a framed one.
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

  /**
   * Objects without encryption metadata: framed messages recognized by their first bytes; anything else returned
   * as it is when allowed, else refused.
   */
  private final class Plaintext implements ObjectReader {
    @Override
    public Decrypted read(GetObjectRequest request, ResponseInputStream<GetObjectResponse> in,
        Map<String, String> context) {
      BufferedInputStream body = new BufferedInputStream(in, FramedPrefix.LENGTH);
      body.mark(FramedPrefix.LENGTH);
      byte[] prefix;
      try {
        prefix = body.readNBytes(FramedPrefix.LENGTH);
        body.reset();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      ResponseInputStream<GetObjectResponse> peeked = new ResponseInputStream<>(in.response(),
          AbortableInputStream.create(body, in::abort));
      if (FramedPrefix.matches(prefix)) {
        return framed.read(request, peeked, context);
      }
      check(request);
      return new Decrypted(in.response(), peeked);
    }

    @Override
    public Decrypted readRange(GetObjectRequest request, HeadObjectResponse head, Map<String, String> context) {
      if (head.contentLength() != null && head.contentLength() >= FramedPrefix.LENGTH) {
        byte[] prefix;
        try (ResponseInputStream<GetObjectResponse> first = settings.s3().getObject(request.toBuilder()
            .range("bytes=0-" + (FramedPrefix.LENGTH - 1)).build())) {
          prefix = first.readNBytes(FramedPrefix.LENGTH);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        if (FramedPrefix.matches(prefix)) {
          return framed.readRange(request, head, context);
        }
      }
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

  /** The first bytes of an ESDK message: version 2 and a v2 suite, or version 1, type 0x80 and a v1 suite. */
  static final class FramedPrefix {
    static final int LENGTH = 4;

    private FramedPrefix() {}

    static boolean matches(byte[] b) {
      if (b.length < LENGTH) {
        return false;
      }
      if (b[0] == 2) {
        AlgorithmSuite suite = AlgorithmSuite.fromId(((b[1] & 0xff) << 8) | (b[2] & 0xff));
        return suite != null && suite.messageFormatVersion() == 2;
      }
      AlgorithmSuite suite = AlgorithmSuite.fromId(((b[2] & 0xff) << 8) | (b[3] & 0xff));
      return b[0] == 1 && (b[1] & 0xff) == 0x80 && suite != null && suite.messageFormatVersion() == 1;
    }
  }
}
