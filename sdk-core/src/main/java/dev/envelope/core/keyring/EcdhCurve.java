package dev.envelope.core.keyring;

import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.interfaces.ECKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;

/** The curves of the ECDH keyrings, with the names the AWS key derivation writes. */
public enum EcdhCurve {
  P256("secp256r1", "p256", 32),
  P384("secp384r1", "p384", 48),
  P521("secp521r1", "p521", 66);

  private final String jcaName;
  private final String kdfName;
  private final int fieldBytes;
  private final ECParameterSpec spec;

  EcdhCurve(String jcaName, String kdfName, int fieldBytes) {
    this.jcaName = jcaName;
    this.kdfName = kdfName;
    this.fieldBytes = fieldBytes;
    try {
      AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
      params.init(new ECGenParameterSpec(jcaName));
      this.spec = params.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The JCA's name of the curve ({@code secp256r1}). */
  public String jcaName() {
    return jcaName;
  }

  /** The name in the key derivation's FixedInfo ({@code p256}). */
  String kdfName() {
    return kdfName;
  }

  /** Bytes of a field element: of the shared secret, and of x in a compressed point (which has one more). */
  public int fieldBytes() {
    return fieldBytes;
  }

  ECParameterSpec spec() {
    return spec;
  }

  /**
   * The curve of {@code key}.
   *
   * @throws IllegalArgumentException if it is not an EC key on P-256, P-384 or P-521
   */
  public static EcdhCurve of(java.security.Key key) {
    if (key instanceof ECKey ec) {
      int bits = ec.getParams().getCurve().getField().getFieldSize();
      for (EcdhCurve c : values()) {
        if (c.spec.getCurve().equals(ec.getParams().getCurve()) && c.fieldBytes == (bits + 7) / 8) {
          return c;
        }
      }
    }
    throw new IllegalArgumentException("ECDH keyrings take EC keys on P-256, P-384 or P-521, not " + key);
  }
}
