package dev.envelope.dynamodb;

import dev.envelope.core.EnvelopeException;

/**
 * A request to an encrypted table that cannot work on encrypted items, refused before it reaches DynamoDB: an
 * update of a signed attribute (it would break the item signature), a condition or filter on an encrypted
 * attribute (it would compare ciphertext), a projection (the signature needs the whole item), or PartiQL. The
 * message names the table, the attribute and what to do instead.
 */
public class UnsupportedRequestException extends EnvelopeException {
  private static final long serialVersionUID = 1L;

  public UnsupportedRequestException(String message) {
    super(message);
  }
}
