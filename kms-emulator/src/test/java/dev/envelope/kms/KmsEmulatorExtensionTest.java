package dev.envelope.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KmsException;

/** The JUnit 5 extension: a fresh emulator per test, injected as parameters. */
class KmsEmulatorExtensionTest {

  @Nested
  @ExtendWith(KmsEmulatorExtension.class)
  class Declarative {
    /** Each repetition starts from an empty emulator: state never leaks between tests. */
    @RepeatedTest(3)
    void everyTestStartsWithNoKeys(KmsClient kms, KmsEmulator emulator) {
      assertEquals(0, kms.listKeys(b -> { }).keys().size());
      kms.createKey(b -> { });
      assertEquals(1, emulator.client().listKeys(b -> { }).keys().size());
      assertEquals(KmsEmulator.DEFAULT_ACCOUNT, emulator.defaultAccount());
    }
  }

  @Nested
  class Programmatic {
    @RegisterExtension
    final KmsEmulatorExtension kms = KmsEmulatorExtension.configured(b -> b.enforceAuthorization(true))
        .withHttpServer();

    @Test
    void configurationAndHttpEndpointApply(URI endpoint) {
      String key = kms.client().createKey(b -> { }).keyMetadata().arn();
      KmsException denied = assertThrows(KmsException.class,
          () -> kms.client(Principal.role(KmsEmulator.DEFAULT_ACCOUNT, "app")).describeKey(b -> b.keyId(key)));
      assertEquals("AccessDeniedException", denied.awsErrorDetails().errorCode());
      assertEquals(endpoint, kms.endpoint());
      try (KmsClient anonymous = KmsClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
          .httpClient(UrlConnectionHttpClient.create())
          .credentialsProvider(AnonymousCredentialsProvider.create()).build()) {
        KmsException unsigned = assertThrows(KmsException.class, () -> anonymous.listKeys(b -> { }));
        assertTrue(unsigned.statusCode() >= 400, "status " + unsigned.statusCode());
      }
    }
  }

  @Test
  void outsideATestTheExtensionSaysSo() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> new KmsEmulatorExtension().client());
    assertTrue(e.getMessage().startsWith("no emulator outside a test"), e.getMessage());
  }
}
