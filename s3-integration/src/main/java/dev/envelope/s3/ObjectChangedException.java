package dev.envelope.s3;

import dev.envelope.core.EnvelopeException;

/**
 * The object was replaced or deleted while it was read in several requests (S3 answered 412 to a request pinned
 * to the ETag of the first): its pieces would belong to different objects, so none is returned. Reading again
 * reads the new object.
 */
public class ObjectChangedException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  public ObjectChangedException(String message, Throwable cause) {
    super(message, cause);
  }
}
