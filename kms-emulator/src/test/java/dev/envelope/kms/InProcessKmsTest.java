package dev.envelope.kms;

import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/** The behaviour suite against the in-process client: no sockets. */
class InProcessKmsTest extends KmsExactnessSuite {
  @Override
  protected KmsClient client(KmsEmulator emulator, Principal principal, Region region) {
    return emulator.client(principal, region);
  }
}
