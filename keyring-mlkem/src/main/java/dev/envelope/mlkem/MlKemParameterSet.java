package dev.envelope.mlkem;

import org.bouncycastle.pqc.crypto.mlkem.MLKEMParameters;

/** The three ML-KEM parameter sets of FIPS 203, with their sizes and the KMS key spec of each. */
public enum MlKemParameterSet {
  ML_KEM_512(768, 800, MLKEMParameters.ml_kem_512),
  ML_KEM_768(1088, 1184, MLKEMParameters.ml_kem_768),
  ML_KEM_1024(1568, 1568, MLKEMParameters.ml_kem_1024);

  private final int ciphertextLength;
  private final int publicKeyLength;
  private final MLKEMParameters parameters;

  MlKemParameterSet(int ciphertextLength, int publicKeyLength, MLKEMParameters parameters) {
    this.ciphertextLength = ciphertextLength;
    this.publicKeyLength = publicKeyLength;
    this.parameters = parameters;
  }

  /** Bytes of an encapsulation (the shared secret's ciphertext). */
  public int ciphertextLength() {
    return ciphertextLength;
  }

  /** Bytes of an encapsulation key (the public key, raw). */
  public int publicKeyLength() {
    return publicKeyLength;
  }

  /** The name in the key derivation's FixedInfo: {@code ML-KEM-768}. */
  public String standardName() {
    return name().replace('_', '-');
  }

  /** The KMS key spec: {@code ML_KEM_768}. */
  public String kmsKeySpec() {
    return name();
  }

  MLKEMParameters parameters() {
    return parameters;
  }
}
