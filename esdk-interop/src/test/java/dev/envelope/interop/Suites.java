package dev.envelope.interop;

import com.amazonaws.encryptionsdk.AwsCrypto;
import com.amazonaws.encryptionsdk.CommitmentPolicy;
import com.amazonaws.encryptionsdk.CryptoAlgorithm;
import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.Envelope;
import dev.envelope.core.keyring.Keyring;

/** Both libraries set to one suite, with the commitment policy that suite needs on each side. */
final class Suites {
  private Suites() {}

  static AwsCrypto esdk(AlgorithmSuite suite) {
    return AwsCrypto.builder()
        .withCommitmentPolicy(suite.isCommitting() ? CommitmentPolicy.RequireEncryptRequireDecrypt
            : CommitmentPolicy.ForbidEncryptAllowDecrypt)
        .withEncryptionAlgorithm(CryptoAlgorithm.valueOf("ALG_" + suite.name())).build();
  }

  static Envelope envelope(Keyring keyring, AlgorithmSuite suite) {
    return Envelope.builder().keyring(keyring).suite(suite)
        .commitmentPolicy(suite.isCommitting() ? dev.envelope.core.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
            : dev.envelope.core.CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT)
        .build();
  }
}
