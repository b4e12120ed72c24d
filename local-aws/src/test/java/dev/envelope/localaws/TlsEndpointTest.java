package dev.envelope.localaws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;

/** The endpoint over HTTPS ({@code LocalAws.Builder.tls}): every service answers, plain HTTP is not served. */
class TlsEndpointTest {
  private static final String PASSWORD = "local-aws-test";

  @Test
  void everyServiceAnswersOverTlsAndPlainHttpGetsNoAnswer(@TempDir Path dir) throws Exception {
    Path keyStore = selfSigned(dir);
    try (LocalAws aws = LocalAws.builder().port(0).tls(keyStore, PASSWORD).build()) {
      assertEquals("https", aws.endpoint().getScheme());
      UrlConnectionHttpClient.Builder http = UrlConnectionHttpClient.builder()
          .tlsTrustManagersProvider(() -> trust(keyStore));
      try (S3Client s3 = aws.configure(S3Client.builder()).forcePathStyle(true).httpClientBuilder(http).build();
          KmsClient kms = aws.configure(KmsClient.builder()).httpClientBuilder(http).build()) {
        s3.createBucket(b -> b.bucket("tls"));
        s3.putObject(b -> b.bucket("tls").key("ü"), RequestBody.fromString("over TLS"));
        assertEquals("over TLS", s3.getObjectAsBytes(b -> b.bucket("tls").key("ü")).asUtf8String());
        assertTrue(kms.createKey(b -> { }).keyMetadata().arn().startsWith("arn:aws:kms:us-east-1:"));
      }
      try (S3Client untrusting = aws.configure(S3Client.builder()).forcePathStyle(true)
          .httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
        assertThrows(SdkClientException.class, () -> untrusting.listBuckets(), "a certificate it does not trust");
      }
      try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), aws.port())) {
        plain.getOutputStream().write("GET /_localstack/health HTTP/1.1\r\nHost: localhost\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII));
        InputStream in = plain.getInputStream();
        byte[] answer = in.readNBytes(5);
        assertTrue(!new String(answer, StandardCharsets.ISO_8859_1).startsWith("HTTP/"),
            "plain HTTP on the TLS port must not be served");
      }
    }
  }

  private static Path selfSigned(Path dir) throws IOException, InterruptedException {
    Path keyStore = dir.resolve("endpoint.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process process = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-alias", "endpoint",
        "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1",
        "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass", PASSWORD,
        "-keypass", PASSWORD)).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, process.waitFor(), output);
    return keyStore;
  }

  private static TrustManager[] trust(Path keyStore) {
    try (InputStream in = Files.newInputStream(keyStore)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, PASSWORD.toCharArray());
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory.getTrustManagers();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
