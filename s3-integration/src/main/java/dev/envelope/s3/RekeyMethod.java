package dev.envelope.s3;

/** How {@link ObjectRekeyer} moves a framed object to new wrapping keys. */
public enum RekeyMethod {
  /**
   * Decrypt and encrypt again under a new data key and message id, streamed through the client (every byte of the
   * object goes down and up). The default: the new object shares nothing with the old one.
   */
  REENCRYPT,
  /**
   * Keep the data key and the body: a new header with the data key wrapped under the new keys, then the body
   * copied server-side ({@code UploadPartCopy}); about 5 MiB of an object pass through the client whatever its
   * size. Two costs, see {@link dev.envelope.core.Envelope#rewrapHeader}: the data key is the old one (so this
   * retires a key, it does not recover from one that leaked), and whoever keeps both the old and the new header
   * can forge frames of the object (the header tag's AES-GCM IV is fixed by the format). Use it where old versions
   * and copies are deleted.
   */
  HEADER
}
