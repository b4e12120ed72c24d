package dev.envelope.core.keyring;

import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;

/**
 * RSA paddings of the ESDK raw RSA keyring. For OAEP the MGF1 hash equals the OAEP hash (the JCA's
 * {@code OAEPWithSHA-256AndMGF1Padding} would use MGF1-SHA1, which the AWS libraries do not), and there is no
 * label.
 */
public enum RsaPadding {
  /** PKCS #1 v1.5: decrypt only, for messages made by older encryptors. */
  PKCS1(null),
  OAEP_SHA1_MGF1(MGF1ParameterSpec.SHA1),
  OAEP_SHA256_MGF1(MGF1ParameterSpec.SHA256),
  OAEP_SHA384_MGF1(MGF1ParameterSpec.SHA384),
  OAEP_SHA512_MGF1(MGF1ParameterSpec.SHA512);

  private final MGF1ParameterSpec hash;

  RsaPadding(MGF1ParameterSpec hash) {
    this.hash = hash;
  }

  String transformation() {
    return this == PKCS1 ? "RSA/ECB/PKCS1Padding" : "RSA/ECB/OAEPPadding";
  }

  AlgorithmParameterSpec parameters() {
    return hash == null ? null
        : new OAEPParameterSpec(hash.getDigestAlgorithm(), "MGF1", hash, PSource.PSpecified.DEFAULT);
  }
}
