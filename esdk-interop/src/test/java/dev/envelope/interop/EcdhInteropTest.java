package dev.envelope.interop;

import static dev.envelope.interop.Suites.esdk;
import static dev.envelope.interop.Suites.envelope;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.core.AlgorithmSuite;
import dev.envelope.core.Envelope;
import dev.envelope.core.NoKeyringCouldDecryptException;
import dev.envelope.core.keyring.EcdhCurve;
import dev.envelope.core.keyring.RawEcdhKeyring;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.cryptography.materialproviders.IKeyring;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.CreateRawEcdhKeyringInput;
import software.amazon.cryptography.materialproviders.model.EphemeralPrivateKeyToStaticPublicKeyInput;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;
import software.amazon.cryptography.materialproviders.model.PublicKeyDiscoveryInput;
import software.amazon.cryptography.materialproviders.model.RawEcdhStaticConfigurations;
import software.amazon.cryptography.materialproviders.model.RawPrivateKeyToStaticPublicKeyInput;
import software.amazon.cryptography.primitives.model.ECDHCurveSpec;

/**
 * Our raw ECDH keyring against the AWS Material Providers Library 1.11.0's (with the AWS Encryption SDK for Java
 * 3.0.2), both ways, in its three schemas and on the three NIST curves: the same keys (JCA-generated, handed to
 * the MPL as PEM and DER), the same messages.
 */
class EcdhInteropTest {
  private static final MaterialProviders MPL = MaterialProviders.builder()
      .MaterialProvidersConfig(MaterialProvidersConfig.builder().build()).build();
  private static final byte[] PLAINTEXT = new byte[2000];

  static {
    new Random(5).nextBytes(PLAINTEXT);
  }

  private static KeyPair pair(EcdhCurve curve) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec(curve.jcaName()));
    return generator.generateKeyPair();
  }

  private static ByteBuffer pem(KeyPair pair) {
    String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(pair.getPrivate()
        .getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    return ByteBuffer.wrap(pem.getBytes(StandardCharsets.US_ASCII));
  }

  private static ByteBuffer der(KeyPair pair) {
    return ByteBuffer.wrap(pair.getPublic().getEncoded());
  }

  private static ECDHCurveSpec spec(EcdhCurve curve) {
    return ECDHCurveSpec.valueOf("ECC_NIST_" + curve.name());
  }

  private static IKeyring theirs(EcdhCurve curve, RawEcdhStaticConfigurations scheme) {
    return MPL.CreateRawEcdhKeyring(CreateRawEcdhKeyringInput.builder().curveSpec(spec(curve))
        .KeyAgreementScheme(scheme).build());
  }

  private static IKeyring theirStatic(EcdhCurve curve, KeyPair sender, KeyPair recipient) {
    return theirs(curve, RawEcdhStaticConfigurations.builder().RawPrivateKeyToStaticPublicKey(
        RawPrivateKeyToStaticPublicKeyInput.builder().senderStaticPrivateKey(pem(sender))
            .recipientPublicKey(der(recipient)).build()).build());
  }

  private static IKeyring theirDiscovery(EcdhCurve curve, KeyPair recipient) {
    return theirs(curve, RawEcdhStaticConfigurations.builder().PublicKeyDiscovery(PublicKeyDiscoveryInput.builder()
        .recipientStaticPrivateKey(pem(recipient)).build()).build());
  }

  private static IKeyring theirEphemeral(EcdhCurve curve, KeyPair recipient) {
    return theirs(curve, RawEcdhStaticConfigurations.builder().EphemeralPrivateKeyToStaticPublicKey(
        EphemeralPrivateKeyToStaticPublicKeyInput.builder().recipientPublicKey(der(recipient)).build()).build());
  }

  private static Envelope ours(RawEcdhKeyring keyring, AlgorithmSuite suite) {
    return envelope(keyring, suite);
  }

  @ParameterizedTest
  @EnumSource(EcdhCurve.class)
  void everySchemeBothWays(EcdhCurve curve) throws Exception {
    KeyPair alice = pair(curve);
    KeyPair bob = pair(curve);
    for (AlgorithmSuite suite : List.of(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
        AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY, AlgorithmSuite.AES_128_GCM_IV12_TAG16_HKDF_SHA256)) {
      for (Map<String, String> context : List.of(Map.<String, String>of(), Map.of("tenant", "acmé", "k", "v"))) {
        String where = curve + " " + suite + " " + context;
        // Static, theirs to ours: Alice (AWS) sends to Bob; Bob decrypts with his own static keyring and his
        // discovery keyring; Alice decrypts her own message with ours too.
        byte[] theirMessage = esdk(suite).encryptData(theirStatic(curve, alice, bob), PLAINTEXT, context)
            .getResult();
        assertArrayEquals(PLAINTEXT, ours(RawEcdhKeyring.staticKeys(bob, alice.getPublic()), suite)
            .decrypt(theirMessage, context).plaintext(), where);
        assertArrayEquals(PLAINTEXT, ours(RawEcdhKeyring.discovery(bob), suite).decrypt(theirMessage, context)
            .plaintext(), where);
        assertArrayEquals(PLAINTEXT, ours(RawEcdhKeyring.staticKeys(alice, bob.getPublic()), suite)
            .decrypt(theirMessage, context).plaintext(), where);

        // Static and ephemeral, ours to theirs.
        byte[] ourStatic = ours(RawEcdhKeyring.staticKeys(alice, bob.getPublic()), suite).encrypt(PLAINTEXT,
            context);
        assertArrayEquals(PLAINTEXT, esdk(suite).decryptData(theirStatic(curve, bob, alice), ourStatic)
            .getResult(), where);
        assertArrayEquals(PLAINTEXT, esdk(suite).decryptData(theirDiscovery(curve, bob), ourStatic).getResult(),
            where);
        byte[] ourEphemeral = ours(RawEcdhKeyring.ephemeral(bob.getPublic()), suite).encrypt(PLAINTEXT, context);
        assertArrayEquals(PLAINTEXT, esdk(suite).decryptData(theirDiscovery(curve, bob), ourEphemeral)
            .getResult(), where);

        // Their ephemeral to our discovery.
        byte[] theirEphemeral = esdk(suite).encryptData(theirEphemeral(curve, bob), PLAINTEXT, context)
            .getResult();
        assertArrayEquals(PLAINTEXT, ours(RawEcdhKeyring.discovery(bob), suite).decrypt(theirEphemeral, context)
            .plaintext(), where);
      }
    }
  }

  @Test
  void aThirdPartyAndTheWrongSchemesAreRefused() throws Exception {
    EcdhCurve curve = EcdhCurve.P384;
    KeyPair alice = pair(curve);
    KeyPair bob = pair(curve);
    KeyPair eve = pair(curve);
    AlgorithmSuite suite = AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
    byte[] message = ours(RawEcdhKeyring.staticKeys(alice, bob.getPublic()), suite).encrypt(PLAINTEXT, Map.of());
    NoKeyringCouldDecryptException notForEve = assertThrows(NoKeyringCouldDecryptException.class,
        () -> ours(RawEcdhKeyring.discovery(eve), suite).decrypt(message, Map.of()));
    assertTrue(notForEve.getMessage().contains("the message has no data key wrapped for this key pair"),
        notForEve.getMessage());
    assertThrows(NoKeyringCouldDecryptException.class,
        () -> ours(RawEcdhKeyring.staticKeys(eve, bob.getPublic()), suite).decrypt(message, Map.of()));
    assertThrows(NoKeyringCouldDecryptException.class,
        () -> ours(RawEcdhKeyring.ephemeral(bob.getPublic()), suite).decrypt(message, Map.of()));
    dev.envelope.core.EnvelopeException encryptWithDiscovery = assertThrows(
        dev.envelope.core.EnvelopeException.class,
        () -> ours(RawEcdhKeyring.discovery(bob), suite).encrypt(PLAINTEXT, Map.of()));
    assertEquals("A raw ECDH keyring in the public key discovery scheme only decrypts: encrypt with a static or "
        + "ephemeral ECDH keyring that names the recipient's public key", encryptWithDiscovery.getMessage());
    IllegalArgumentException mixed = assertThrows(IllegalArgumentException.class,
        () -> RawEcdhKeyring.staticKeys(alice, pair(EcdhCurve.P256).getPublic()));
    assertEquals("The sender's and the recipient's keys must be on one curve: P384 and P256", mixed.getMessage());
  }
}
