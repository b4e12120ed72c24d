package dev.envelope.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away self-signed certificate for 127.0.0.1, made with the JDK's keytool, so the benchmark can talk
 * HTTPS to the in-process S3 emulator the way every client talks to real S3. The clients trust exactly this
 * certificate, nothing is installed anywhere.
 */
final class LoopbackTls implements AutoCloseable {
  private static final String PASSWORD = "benchmark";

  private final Path directory;
  private final Path keyStore;

  private LoopbackTls(Path directory, Path keyStore) {
    this.directory = directory;
    this.keyStore = keyStore;
  }

  static LoopbackTls create() throws IOException, InterruptedException {
    Path directory = Files.createTempDirectory("envelope-bench-tls");
    Path keyStore = directory.resolve("loopback.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process process = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-alias", "loopback",
        "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1",
        "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(),
        "-storepass", PASSWORD, "-keypass", PASSWORD))
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (process.waitFor() != 0) {
      throw new IOException("keytool failed: " + output);
    }
    return new LoopbackTls(directory, keyStore);
  }

  String keyStorePath() {
    return keyStore.toString();
  }

  String password() {
    return PASSWORD;
  }

  TrustManager[] trustManagers() {
    try (InputStream in = Files.newInputStream(keyStore)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, PASSWORD.toCharArray());
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory.getTrustManagers();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot load the loopback certificate " + keyStore, e);
    }
  }

  @Override
  public void close() throws IOException {
    Files.deleteIfExists(keyStore);
    Files.deleteIfExists(directory);
  }
}
