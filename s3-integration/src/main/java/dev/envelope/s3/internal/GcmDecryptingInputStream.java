package dev.envelope.s3.internal;

import dev.envelope.core.AuthenticationFailedException;
import dev.envelope.core.EnvelopeException;
import dev.envelope.core.MalformedMessageException;
import dev.envelope.core.spi.ChunkInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Decrypts one AES-GCM ciphertext (tag appended) of any length with bounded memory. The JCA's GCM decryption
 * buffers the whole ciphertext until the tag verifies; instead this decrypts with AES-CTR (GCM's keystream) and,
 * alongside, re-encrypts the recovered plaintext with AES-GCM under the same key and IV: that reproduces the
 * received ciphertext exactly, so its tag is the tag of what was received, compared in constant time at the end.
 * Both ciphers are the JCA's.
 *
 * <p>Release rule: plaintext is released one chunk behind, and the last chunk only after the tag verifies; the
 * read that reaches the end is the proof that everything read is authentic. Everything before it is unverified
 * and malleable (a flipped ciphertext bit flips the same plaintext bit), so this stream is used directly only in
 * the S3EC's delayed-authentication mode; by default {@link VerifiedBeforeReleaseInputStream} drains it before
 * releasing anything. Memory: two 64 KiB chunks. Not thread-safe.
 */
final class GcmDecryptingInputStream extends ChunkInputStream {
  private static final int CHUNK = 64 * 1024;
  private static final int TAG = S3ecCrypto.GCM_TAG_LENGTH;

  private final InputStream in;
  private final Cipher ctr;
  private final Cipher gcm;
  // Ciphertext read ahead; the last TAG bytes of the input must never be decrypted, so TAG bytes stay behind.
  private final byte[] input = new byte[CHUNK + TAG];
  private int inputLength;
  private byte[] ready = new byte[0];
  private int readyPos;
  private byte[] held = new byte[0];
  private int heldLength;
  private final byte[] scratch = new byte[CHUNK + TAG];
  private boolean ended;
  private IOException failure;

  GcmDecryptingInputStream(InputStream in, S3ecCrypto.ContentKey key) {
    this.in = in;
    this.ctr = S3ecCrypto.ctr(key, 0);
    try {
      this.gcm = Cipher.getInstance("AES/GCM/NoPadding");
      gcm.init(Cipher.ENCRYPT_MODE, key.key(), new GCMParameterSpec(128, key.iv()));
      gcm.updateAAD(key.aad());
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException("AES-GCM is unavailable: " + e.getMessage(), e);
    }
  }

  @Override
  protected int readChunk(byte[] b, int off, int len) throws IOException {
    if (failure != null) {
      throw failure;
    }
    while (readyPos == ready.length) {
      if (ended) {
        return -1;
      }
      try {
        step();
      } catch (EnvelopeException e) {
        failure = new IOException(e.getMessage(), e);
        throw e;
      }
    }
    int n = Math.min(len, ready.length - readyPos);
    System.arraycopy(ready, readyPos, b, off, n);
    readyPos += n;
    return n;
  }

  /** Reads a chunk, decrypts all but the last TAG bytes seen, and releases the previously held chunk. */
  private void step() throws IOException {
    int wanted = input.length - inputLength;
    int r = in.readNBytes(input, inputLength, wanted);
    inputLength += r;
    if (r < wanted) {
      finish();
      return;
    }
    int body = inputLength - TAG;
    byte[] plain = ctr.update(input, 0, body);
    gcmAbsorb(plain);
    System.arraycopy(input, body, input, 0, TAG);
    inputLength = TAG;
    release(plain);
  }

  private void gcmAbsorb(byte[] plain) {
    if (plain != null && plain.length > 0) {
      try {
        gcm.update(plain, 0, plain.length, scratch, 0);
      } catch (GeneralSecurityException e) {
        throw new EnvelopeException("AES-GCM failed: " + e.getMessage(), e);
      }
    }
  }

  private void release(byte[] plain) {
    ready = held.length == heldLength ? held : Arrays.copyOf(held, heldLength);
    readyPos = 0;
    held = plain == null ? new byte[0] : plain;
    heldLength = held.length;
  }

  private void finish() {
    if (inputLength < TAG) {
      throw new MalformedMessageException("Object is " + inputLength + " bytes, shorter than its 16-byte GCM tag: "
          + "it was truncated");
    }
    int body = inputLength - TAG;
    try {
      byte[] plain = ctr.doFinal(input, 0, body);
      gcmAbsorb(plain);
      byte[] tail = gcm.doFinal();
      byte[] tag = Arrays.copyOfRange(tail, tail.length - TAG, tail.length);
      if (!MessageDigest.isEqual(tag, Arrays.copyOfRange(input, body, inputLength))) {
        Arrays.fill(held, (byte) 0);
        Arrays.fill(plain, (byte) 0);
        throw new AuthenticationFailedException("Object content failed GCM authentication: the ciphertext, tag or "
            + "metadata was modified, or the object was truncated. (One GCM tag covers a whole S3EC object; the "
            + "framed format authenticates every 64 KiB frame and is the better choice for large objects)");
      }
      byte[] last = new byte[heldLength + plain.length];
      System.arraycopy(held, 0, last, 0, heldLength);
      System.arraycopy(plain, 0, last, heldLength, plain.length);
      held = new byte[0];
      heldLength = 0;
      ready = last;
      readyPos = 0;
      ended = true;
    } catch (GeneralSecurityException e) {
      throw new EnvelopeException("AES-GCM failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() throws IOException {
    Arrays.fill(held, (byte) 0);
    in.close();
  }
}
