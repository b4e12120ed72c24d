package dev.envelope.s3;

import java.io.InputStream;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/** A GET's response, with lengths and ranges describing the plaintext, and the plaintext stream. */
record Decrypted(GetObjectResponse response, InputStream stream) {}
