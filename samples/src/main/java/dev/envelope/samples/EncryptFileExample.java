package dev.envelope.samples;

import dev.envelope.core.Envelope;
import dev.envelope.core.keyring.KmsKeyring;
import dev.envelope.kms.KmsEmulator;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Encrypts a file to an ESDK message and back, streaming (any size, bounded memory), with a KMS key. */
public final class EncryptFileExample {
  private EncryptFileExample() {}

  public static void main(String[] args) throws Exception {
    try (KmsEmulator kms = KmsEmulator.create()) {                       // or KmsClient.create() for real KMS
      String keyArn = kms.client().createKey(b -> b.description("files")).keyMetadata().arn();
      Envelope envelope = Envelope.builder().keyring(KmsKeyring.create(kms.client(), keyArn)).build();

      Path plain = Files.writeString(Files.createTempFile("report", ".csv"), "customer,total\nc-42,129.90\n");
      Path encrypted = plain.resolveSibling(plain.getFileName() + ".encrypted");
      try (InputStream in = Files.newInputStream(plain);
          OutputStream out = envelope.encryptingStream(Files.newOutputStream(encrypted), Map.of("file", "report"))) {
        in.transferTo(out);
      }
      try (InputStream in = envelope.decryptingStream(Files.newInputStream(encrypted), Map.of("file", "report"))) {
        System.out.println("decrypted " + encrypted.getFileName() + ":\n" + new String(in.readAllBytes()));
      }
      Files.delete(encrypted);
      Files.delete(plain);
    }
  }
}
