package dev.envelope.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.StorageClass;

/** The main job as an integration test: SecureCart's outcomes, each failure step's error, the audit file. */
class SecureCartTest {
  @Test
  void secureCartRunsEndToEnd(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    SecureCart.Result r = SecureCart.run(dir.resolve("audit.jsonl"), new PrintStream(printed, true,
        StandardCharsets.UTF_8));
    String output = printed.toString(StandardCharsets.UTF_8);

    // Archives: one per document on the FSx volume (60 orders, 10 of them written as files over the mounted
    // volume, + 2 late ones), all GLACIER, all decrypt to a receipt, all under the access point's ARN.
    assertEquals(62, r.documentsUploaded());
    assertEquals(10, r.documentsWrittenAsFiles());
    assertEquals(62, r.archiveKeys().size());
    assertTrue(r.archiveKeys().stream().allMatch(k -> k.startsWith(
        "archive/arn:aws:s3:us-east-1:000000000000:accesspoint/securecart-orders/orders/")), r.archiveKeys().get(0));
    assertTrue(r.archiveKeys().contains("archive/arn:aws:s3:us-east-1:000000000000:accesspoint/securecart-orders/"
        + "orders/order-0060.json"), "a document written as a file is archived too");
    assertTrue(r.archiveStorageClasses().stream().allMatch(StorageClass.GLACIER::equals),
        r.archiveStorageClasses().toString());
    assertEquals(62, r.archivesDecrypted());
    assertEquals(8, r.totals().size(), r.totals().toString());

    // Items: written through the interceptor, stored encrypted, every one decrypts.
    assertEquals(60, r.itemsWritten());
    assertEquals(60, r.itemsVerified());
    assertEquals("B", r.rawCardAttributeType());

    // The failure steps, each with the error type and KMS code it must show, each recovered by its fix.
    List<SecureCart.FailureStep> f = r.failures();
    assertEquals(4, f.size());
    assertEquals("EnvironmentVariableException", f.get(0).exceptionType());
    assertEquals("AccessDeniedException", f.get(0).kmsErrorCode());
    assertTrue(f.get(0).message().contains("REPORTS_TOKEN") && f.get(0).message().contains(
        "name it in the key policy with kms:Decrypt"), f.get(0).message());
    assertEquals("NoKeyringCouldDecryptException", f.get(1).exceptionType());
    assertEquals("DisabledException", f.get(1).kmsErrorCode());
    assertEquals("NoKeyringCouldDecryptException", f.get(2).exceptionType());
    assertEquals("KMSInvalidStateException", f.get(2).kmsErrorCode());
    assertTrue(f.get(2).message().contains("pending deletion"), f.get(2).message());
    assertEquals("none: it decrypts", f.get(3).exceptionType());
    f.forEach(step -> assertTrue(step.recovered(), step.toString()));

    // Every KMS call the libraries made is accounted for in an audit event; caching saved calls.
    assertEquals(r.kmsCallsByOurLibraries(), r.kmsCallsAudited());
    assertTrue(r.kmsCallsSaved() >= 100, "saved " + r.kmsCallsSaved());

    // The audit file: one JSON line per event, each naming its resource, no secret anywhere.
    List<String> lines = Files.readAllLines(r.auditFile());
    assertEquals(r.auditEvents(), lines.size());
    ObjectMapper json = new ObjectMapper();
    for (String line : lines) {
      JsonNode event = json.readTree(line);
      assertTrue(event.hasNonNull("operation") && event.hasNonNull("outcome") && event.hasNonNull("resource"),
          line);
      for (String secret : r.secrets()) {
        assertFalse(line.contains(secret), "audit line holds a secret: " + line);
      }
    }
    for (String secret : r.secrets()) {
      assertFalse(output.contains(secret), "printed output holds a secret");
    }
    assertTrue(output.contains("[8/8] Summary"), output);

    // Retiring a key: inventory finds the exports on it, the re-keyer and the S3 Batch handler move them, nothing
    // is left, the key is pending deletion and every export decrypts with the new key alone.
    KeyRetirement.Outcome retirement = r.keyRetirement();
    assertEquals(12, retirement.dependentsBefore());
    assertEquals(6, retirement.rekeyed());
    assertEquals(6, retirement.rekeyedByBatch());
    assertEquals(0, retirement.dependentsAfter());
    assertEquals(12, retirement.decryptedAfter());
    assertEquals(software.amazon.awssdk.services.kms.model.KeyState.PENDING_DELETION, retirement.oldKeyState());
    assertTrue(output.contains("S3 event notifications on the access point: NotImplemented 501"), output);
    // One branch key per customer: one KMS call per customer to encrypt, one to decrypt, whatever the receipts.
    assertEquals(8, r.customerKeys().customers());
    assertEquals(60, r.customerKeys().decrypted());
    assertEquals(16, r.customerKeys().kmsCalls());
    assertEquals(16, r.customerKeys().keyStoreCalls());
    assertTrue(output.contains("run 1: archived 60, already archived 0, unchanged 0"), output);
    assertTrue(output.contains("run 2: archived 0, already archived 0, unchanged 60"), output);
  }
}
