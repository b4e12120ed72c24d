package dev.envelope.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.encryptionsdk.AwsCrypto;
import com.fasterxml.jackson.databind.JsonNode;
import dev.envelope.core.TestKeyrings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.cryptography.materialproviders.IKeyring;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.AesWrappingAlg;
import software.amazon.cryptography.materialproviders.model.CreateAwsKmsKeyringInput;
import software.amazon.cryptography.materialproviders.model.CreateRawAesKeyringInput;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;

/**
 * {@code envelope encrypt} and {@code decrypt} through {@link EnvelopeCli#run}, as a user calls them: files,
 * stdin/stdout, directory trees with a corrupt file, re-runs, every refusal with its exit status; and the AWS
 * Encryption SDK for Java reading what the command wrote, and the reverse.
 */
class FileCommandsTest {
  private static final MaterialProviders MPL = MaterialProviders.builder()
      .MaterialProvidersConfig(MaterialProvidersConfig.builder().build()).build();
  private static final byte[] AES_KEY = TestKeyrings.bytes(32, 77);
  private static String kmsKey;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() {
    kmsKey = Cli.newKmsKey("cli files");
  }

  private Path keyFile() throws IOException {
    Path file = dir.resolve("aes.key");
    if (!Files.exists(file)) {
      Files.write(file, AES_KEY);
    }
    return file;
  }

  private String[] rawKey() throws IOException {
    return new String[] {"-w", "provider=raw-aes", "key-file=" + keyFile(), "namespace=cli", "name=aes-1"};
  }

  private static String[] args(String[]... parts) {
    return Stream.of(parts).flatMap(Stream::of).toArray(String[]::new);
  }

  private static IKeyring theirAes() {
    return MPL.CreateRawAesKeyring(CreateRawAesKeyringInput.builder().keyNamespace("cli").keyName("aes-1")
        .wrappingKey(ByteBuffer.wrap(AES_KEY)).wrappingAlg(AesWrappingAlg.ALG_AES256_GCM_IV12_TAG16).build());
  }

  @Test
  void aFileEncryptedWithAKmsKeyDecryptsAndTheEsdkReadsIt() throws IOException {
    byte[] data = TestKeyrings.bytes(200_000, 1);
    Path plain = Files.write(dir.resolve("report.pdf"), data);
    Path metadata = dir.resolve("meta.jsonl");
    Cli.Result enc = Cli.run("encrypt", "-i", plain.toString(), "-o", dir.resolve("report.pdf.enc").toString(),
        "-w", "key=" + kmsKey, "-c", "tenant=acme", "purpose=test", "--endpoint-url", Cli.endpoint(),
        "--metadata-output", metadata.toString());
    assertEquals(ExitCode.OK, enc.code(), enc.toString());
    JsonNode line = Json.MAPPER.readTree(Files.readAllLines(metadata).get(0));
    assertEquals("done", line.get("status").asText());
    assertEquals(kmsKey, line.at("/header/encryptedDataKeys/0/keyId").asText());
    assertEquals("acme", line.at("/header/encryptionContext/tenant").asText());

    Cli.Result dec = Cli.run("decrypt", "-i", dir.resolve("report.pdf.enc").toString(), "-o",
        dir.resolve("back.pdf").toString(), "-w", "key=" + kmsKey, "-c", "tenant=acme", "--endpoint-url",
        Cli.endpoint());
    assertEquals(ExitCode.OK, dec.code(), dec.toString());
    assertArrayEquals(data, Files.readAllBytes(dir.resolve("back.pdf")));

    IKeyring theirs = MPL.CreateAwsKmsKeyring(CreateAwsKmsKeyringInput.builder().kmsKeyId(kmsKey)
        .kmsClient(Cli.kms()).build());
    assertArrayEquals(data, AwsCrypto.standard().decryptData(theirs,
        Files.readAllBytes(dir.resolve("report.pdf.enc"))).getResult());

    Cli.Result wrongContext = Cli.run("decrypt", "-i", dir.resolve("report.pdf.enc").toString(), "-o",
        dir.resolve("wrong.pdf").toString(), "-w", "discovery=true", "-c", "tenant=other", "--endpoint-url",
        Cli.endpoint());
    assertEquals(ExitCode.FAILED, wrongContext.code(), wrongContext.toString());
    assertTrue(wrongContext.err().contains("tenant"), wrongContext.err());
    assertFalse(Files.exists(dir.resolve("wrong.pdf")), "no output for a failed decrypt");
  }

  @Test
  void rawKeysInteroperateWithTheEsdkBothWaysThroughStdinAndStdout() throws IOException {
    byte[] data = TestKeyrings.bytes(70_000, 2);
    Cli.Result enc = Cli.run(data, args(new String[] {"encrypt", "-i", "-", "-o", "-", "-c", "k=v"}, rawKey()));
    assertEquals(ExitCode.OK, enc.code(), enc.err());
    assertArrayEquals(data, AwsCrypto.standard().decryptData(theirAes(), enc.outBytes(), Map.of("k", "v"))
        .getResult());

    byte[] theirs = AwsCrypto.standard().encryptData(theirAes(), data, Map.of("from", "esdk")).getResult();
    Cli.Result dec = Cli.run(theirs, args(new String[] {"decrypt", "-i", "-", "-o", "-"}, rawKey()));
    assertEquals(ExitCode.OK, dec.code(), dec.err());
    assertArrayEquals(data, dec.outBytes());
  }

  /**
   * The ESDK CLI's reading of {@code --encryption-context}: pairs on encrypt; on decrypt pairs and names alone,
   * all of which the message must have. Mistakes are usage errors before any file is touched.
   */
  @Test
  void encryptionContextArgumentsAreReadAsTheEsdkCliReadsThem() throws IOException {
    byte[] data = TestKeyrings.bytes(1000, 5);
    Cli.Result enc = Cli.run(data, args(new String[] {"encrypt", "-i", "-", "-o", "-", "-c", "purpose=test",
        "dept=23", "\u00fcber=a=b"}, rawKey()));
    assertEquals(ExitCode.OK, enc.code(), enc.err());
    byte[] message = enc.outBytes();
    for (String[] context : List.of(new String[] {"dept=23"}, new String[] {"purpose"},
        new String[] {"dept", "purpose=test", "\u00fcber=a=b"})) {
      Cli.Result dec = Cli.run(message, args(new String[] {"decrypt", "-i", "-", "-o", "-", "-c"}, context,
          rawKey()));
      assertEquals(ExitCode.OK, dec.code(), String.join(" ", context) + ": " + dec.err());
      assertArrayEquals(data, dec.outBytes());
    }
    Cli.Result noName = Cli.run(message, args(new String[] {"decrypt", "-i", "-", "-o", "-", "-c", "scope"},
        rawKey()));
    assertEquals(ExitCode.FAILED, noName.code());
    assertTrue(noName.err().contains("The message's encryption context has no 'scope', which --encryption-context "
        + "requires"), noName.err());
    assertEquals(0, noName.outBytes().length);
    Cli.Result wrongValue = Cli.run(message, args(new String[] {"decrypt", "-i", "-", "-o", "-", "-c",
        "dept=Finance"}, rawKey()));
    assertEquals(ExitCode.FAILED, wrongValue.code(), wrongValue.err());

    Map<String, String> usage = Map.of(
        "k=", "name 'k' has an empty value",
        "=v", "not '=v': no name",
        "alone", "takes name=value pairs on encrypt, not 'alone' (a name alone is for decrypt",
        "aws-crypto-public-key=x", "uses the prefix 'aws-crypto-'");
    for (Map.Entry<String, String> bad : usage.entrySet()) {
      Cli.Result result = Cli.run(data, args(new String[] {"encrypt", "-i", "-", "-o", "-", "-c", bad.getKey()},
          rawKey()));
      assertEquals(ExitCode.USAGE, result.code(), bad.getKey() + ": " + result.err());
      assertTrue(result.err().contains(bad.getValue()), result.err());
      assertEquals(0, result.outBytes().length);
    }
    Cli.Result twice = Cli.run(message, args(new String[] {"decrypt", "-i", "-", "-o", "-", "-c", "dept",
        "dept=23"}, rawKey()));
    assertEquals(ExitCode.USAGE, twice.code(), twice.err());
    assertTrue(twice.err().contains("names 'dept' twice"), twice.err());
  }

  /**
   * Standard output streams what authenticates frame by frame, as every ESDK CLI does; a signed message whose
   * signature then fails has already written its frames. {@code --buffer} (the ESDK CLI's name) holds them until
   * the whole message is authenticated: a cut or tampered message writes nothing.
   */
  @Test
  void bufferWritesNothingOfAMessageThatFailsAtItsEnd() throws IOException {
    byte[] data = TestKeyrings.bytes(400_000, 9); // more than the 64 KiB that standard output buffers
    Cli.Result enc = Cli.run(data, args(new String[] {"encrypt", "-i", "-", "-o", "-", "--frame-length", "4096"},
        rawKey()));
    assertEquals(ExitCode.OK, enc.code(), enc.err());
    byte[] message = enc.outBytes();
    byte[] tampered = message.clone();
    tampered[tampered.length - 1] ^= 1; // the signature's last byte
    byte[] cut = Arrays.copyOf(message, message.length - 200);

    Cli.Result streamed = Cli.run(tampered, args(new String[] {"decrypt", "-i", "-", "-o", "-"}, rawKey()));
    assertEquals(ExitCode.FAILED, streamed.code(), streamed.err());
    byte[] released = streamed.outBytes();
    assertTrue(released.length > 0 && released.length < data.length, "frames released before the signature: "
        + released.length);
    assertArrayEquals(Arrays.copyOf(data, released.length), released);
    for (byte[] bad : List.of(tampered, cut)) {
      Cli.Result held = Cli.run(bad, args(new String[] {"decrypt", "-i", "-", "-o", "-", "--buffer"}, rawKey()));
      assertEquals(ExitCode.FAILED, held.code(), held.err());
      assertEquals(0, held.outBytes().length, "nothing written");
    }
    Cli.Result good = Cli.run(message, args(new String[] {"decrypt", "-i", "-", "-o", "-", "-b"}, rawKey()));
    assertEquals(ExitCode.OK, good.code(), good.err());
    assertArrayEquals(data, good.outBytes());

    Cli.Result signed = Cli.run(message, args(new String[] {"decrypt", "-i", "-", "-o", "-", "--decrypt-unsigned"},
        rawKey()));
    assertEquals(ExitCode.FAILED, signed.code(), signed.err());
    assertTrue(signed.err().contains("The message is signed (suite"), signed.err());
    assertTrue(signed.err().contains("--decrypt-unsigned refuses signed messages"), signed.err());
    assertEquals(0, signed.outBytes().length);
    Cli.Result unsigned = Cli.run(data, args(new String[] {"encrypt", "-i", "-", "-o", "-", "--algorithm",
        "0x0478"}, rawKey()));
    Cli.Result accepted = Cli.run(unsigned.outBytes(), args(new String[] {"decrypt", "-i", "-", "-o", "-",
        "--decrypt-unsigned"}, rawKey()));
    assertEquals(ExitCode.OK, accepted.code(), accepted.err());
    assertArrayEquals(data, accepted.outBytes());
  }

  @Test
  void heldOutputPastItsLimitFailsSayingWhatToDoAndKeepsNothing() throws IOException {
    HeldOutput held = new HeldOutput(3 << 20);
    byte[] chunk = TestKeyrings.bytes(1_500_000, 4);
    held.write(chunk);
    held.write(chunk);
    IOException full = assertThrows(IOException.class, () -> held.write(chunk));
    assertTrue(full.getMessage().contains("larger than --buffer holds in memory (3.0 MiB): write it to a file "
        + "with -o FILE"), full.getMessage());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    held.releaseTo(out);
    assertEquals(0, out.size(), "discarded on overflow");
    HeldOutput exact = new HeldOutput(3_000_001);
    exact.write(chunk);
    exact.write(7);
    exact.write(chunk);
    exact.releaseTo(out);
    byte[] expected = Arrays.copyOf(chunk, 3_000_001);
    expected[1_500_000] = 7;
    System.arraycopy(chunk, 0, expected, 1_500_001, 1_500_000);
    assertArrayEquals(expected, out.toByteArray(), "across chunk boundaries, in order");
  }

  @Test
  void aTreeWithOneCorruptFileDoesTheRestNamesItAndExitsPartial() throws IOException {
    Path in = Files.createDirectories(dir.resolve("in/sub/\u00fcber"));
    for (int i = 0; i < 12; i++) {
      Files.write(in.resolve("f" + i + ".txt"), TestKeyrings.bytes(1000 * i, i));
    }
    Path enc = dir.resolve("enc");
    Cli.Result encrypted = Cli.run(args(new String[] {"encrypt", "-r", "-i", dir.resolve("in").toString(), "-o",
        enc.toString(), "--parallel", "3"}, rawKey()));
    assertEquals(ExitCode.OK, encrypted.code(), encrypted.toString());
    Path corrupt = enc.resolve("sub/\u00fcber/f5.txt.encrypted");
    byte[] bytes = Files.readAllBytes(corrupt);
    bytes[bytes.length - 20] ^= 1;
    Files.write(corrupt, bytes);
    Files.writeString(enc.resolve("sub/not-a-message.encrypted"), "just text");

    Path out = dir.resolve("out");
    Path metadata = dir.resolve("decrypt.jsonl");
    Cli.Result dec = Cli.run(args(new String[] {"decrypt", "-r", "-i", enc.toString(), "-o", out.toString(),
        "--metadata-output", metadata.toString()}, rawKey()));
    assertEquals(ExitCode.PARTIAL, dec.code(), dec.toString());
    assertTrue(dec.err().contains("f5.txt.encrypted: Message signature does not verify: the message was modified"),
        dec.err());
    assertTrue(dec.err().contains("not-a-message.encrypted: Unknown message format version 0x6A (expected 0x01 or "
        + "0x02): not an AWS Encryption SDK message"), dec.err());
    assertTrue(dec.err().contains("11 done") && dec.err().contains("2 failed"), dec.err());
    assertFalse(Files.exists(out.resolve("sub/\u00fcber/f5.txt.encrypted.decrypted")), "no partial plaintext");
    try (Stream<Path> files = Files.walk(out)) {
      assertEquals(11, files.filter(Files::isRegularFile).count(), "no temporary files left");
    }
    assertArrayEquals(TestKeyrings.bytes(7000, 7), Files.readAllBytes(out.resolve("sub/\u00fcber/f7.txt.encrypted"
        + ".decrypted")));
    List<String> lines = Files.readAllLines(metadata);
    assertEquals(13, lines.size());
    assertEquals(2, lines.stream().filter(l -> l.contains("\"status\":\"failed\"")).count());

    Cli.Result json = Cli.run(args(new String[] {"--output", "json", "decrypt", "-r", "-i", enc.toString(), "-o",
        out.toString()}, rawKey()));
    JsonNode summary = Json.MAPPER.readTree(json.out());
    assertEquals(11, summary.get("skipped").asInt(), json.out());
    assertEquals(0, summary.get("done").asInt());
    assertEquals(2, summary.get("failed").asInt());
  }

  @Test
  void anInterruptedRunLeavesOnlyWholeOutputsAndAReRunFinishesIt() throws IOException {
    Path in = Files.createDirectories(dir.resolve("batch"));
    for (int i = 0; i < 5; i++) {
      Files.write(in.resolve("doc" + i), TestKeyrings.bytes(5000, i));
    }
    Path out = Files.createDirectories(dir.resolve("batch-out"));
    // what a killed run leaves: two whole outputs and a partial one, invisible under its temporary name
    assertEquals(ExitCode.OK, Cli.run(args(new String[] {"encrypt", "-i", in.resolve("doc0").toString(), "-o",
        out.toString()}, rawKey())).code());
    assertEquals(ExitCode.OK, Cli.run(args(new String[] {"encrypt", "-i", in.resolve("doc1").toString(), "-o",
        out.toString()}, rawKey())).code());
    Files.writeString(out.resolve(".doc2.encrypted.partial-4242"), "half a message");
    byte[] doc0 = Files.readAllBytes(out.resolve("doc0.encrypted"));

    Cli.Result resumed = Cli.run(args(new String[] {"--output", "json", "encrypt", "-r", "-i", in.toString(),
        "-o", out.toString()}, rawKey()));
    JsonNode summary = Json.MAPPER.readTree(resumed.out());
    assertEquals(3, summary.get("done").asInt(), resumed.toString());
    assertEquals(2, summary.get("skipped").asInt());
    assertArrayEquals(doc0, Files.readAllBytes(out.resolve("doc0.encrypted")), "a whole output is kept");
    Cli.Result decrypted = Cli.run(args(new String[] {"decrypt", "-r", "-i", out.toString(), "-o",
        dir.resolve("batch-back").toString()}, rawKey()));
    assertEquals(ExitCode.OK, decrypted.code(), decrypted.toString());
    assertTrue(decrypted.err().contains("5 done"), "temporary files are not inputs: " + decrypted.err());
  }

  @Test
  void badArgumentsMissingKeysAndNonMessagesExitWithTheirStatus() throws IOException {
    Path plain = Files.writeString(dir.resolve("x.txt"), "x");
    Cli.Result unknown = Cli.run(args(new String[] {"encrypt", "-i", plain.toString(), "-o", "-",
        "--no-such-option"}, rawKey()));
    assertEquals(ExitCode.USAGE, unknown.code());
    assertTrue(unknown.err().contains("--no-such-option"), unknown.err());
    Cli.Result noKeys = Cli.run("encrypt", "-i", plain.toString(), "-o", "-");
    assertEquals(ExitCode.USAGE, noKeys.code());
    assertTrue(noKeys.err().contains("--wrapping-keys"), noKeys.err());
    Cli.Result badAttribute = Cli.run("encrypt", "-i", plain.toString(), "-o", "-", "-w", "colour=blue");
    assertEquals(ExitCode.USAGE, badAttribute.code());
    assertTrue(badAttribute.err().contains("unknown --wrapping-keys attribute 'colour'"), badAttribute.err());
    Cli.Result directory = Cli.run(args(new String[] {"encrypt", "-i", dir.toString(), "-o", "-"}, rawKey()));
    assertEquals(ExitCode.USAGE, directory.code());
    assertTrue(directory.err().contains("--recursive"), directory.err());

    String missing = "arn:aws:kms:us-east-1:000000000000:key/00000000-0000-0000-0000-000000000000";
    Cli.Result missingKey = Cli.run("encrypt", "-i", plain.toString(), "-o", dir.resolve("x.enc").toString(),
        "-w", "key=" + missing, "--endpoint-url", Cli.endpoint());
    assertEquals(ExitCode.FAILED, missingKey.code(), missingKey.toString());
    assertTrue(missingKey.err().contains(missing), missingKey.err());
    assertFalse(Files.exists(dir.resolve("x.enc")));

    Cli.Result notMessage = Cli.run(args(new String[] {"decrypt", "-i", plain.toString(), "-o", "-"}, rawKey()));
    assertEquals(ExitCode.FAILED, notMessage.code(), notMessage.toString());
    assertTrue(notMessage.err().contains("x.txt"), notMessage.err());
    Cli.Result inspect = Cli.run("inspect", plain.toString());
    assertEquals(ExitCode.FAILED, inspect.code());
  }

  @Test
  void everyCommandHasHelp() {
    for (String[] command : List.of(new String[] {"--help"}, new String[] {"encrypt", "--help"},
        new String[] {"decrypt", "--help"}, new String[] {"inspect", "--help"},
        new String[] {"inventory", "--help"}, new String[] {"rekey", "--help"}, new String[] {"migrate", "--help"},
        new String[] {"local", "--help"},
        new String[] {"local", "serve", "--help"})) {
      Cli.Result help = Cli.run(command);
      assertEquals(ExitCode.OK, help.code(), String.join(" ", command));
      assertTrue(help.out().startsWith("Usage: envelope"), help.out());
    }
    assertTrue(Cli.run("--help").out().contains("130"), "exit statuses documented");
  }

  @Test
  void inspectPrintsTheHeaderWithoutAKey() throws IOException {
    Cli.Result enc = Cli.run(TestKeyrings.bytes(10, 3), args(new String[] {"encrypt", "-i", "-", "-o", "-", "-c",
        "order=42", "--algorithm", "0x0478", "--frame-length", "4096"}, rawKey()));
    Path message = Files.write(dir.resolve("m.enc"), enc.outBytes());
    Cli.Result inspect = Cli.run("inspect", message.toString());
    assertEquals(ExitCode.OK, inspect.code(), inspect.toString());
    JsonNode header = Json.MAPPER.readTree(inspect.out());
    assertEquals("0x0478", header.get("suiteId").asText());
    assertEquals(4096, header.get("frameLength").asInt());
    assertEquals("42", header.at("/encryptionContext/order").asText());
    assertEquals("cli/aes-1", header.at("/encryptedDataKeys/0/keyId").asText());
    assertEquals("cli", header.at("/encryptedDataKeys/0/providerId").asText(),
        "a raw key's provider id: its namespace");
  }
}
