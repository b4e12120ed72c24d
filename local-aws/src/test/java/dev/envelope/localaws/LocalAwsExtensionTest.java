package dev.envelope.localaws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.sts.StsClient;

/** The extension starts one endpoint per class and injects it. */
class LocalAwsExtensionTest {
  @RegisterExtension
  static final LocalAwsExtension AWS =
      LocalAwsExtension.create(b -> b.config("{\"defaultAccount\": \"111122223333\"}"));

  @Test
  void injectsTheRunningEndpointConfiguredByTheCustomizer(LocalAws aws) {
    assertSame(AWS.get(), aws);
    try (StsClient sts = aws.configure(StsClient.builder()).httpClient(UrlConnectionHttpClient.create()).build()) {
      assertEquals("111122223333", sts.getCallerIdentity().account());
    }
  }
}
