import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import javax.crypto.KEM;

/**
 * Run by MlKemJdkCrossCheckTest on a JDK with ML-KEM (24 or later), as a single source file: encapsulates to the
 * public key read from stdin, then makes a key pair of its own, prints its public key, and decapsulates the
 * ciphertext read back. Lines of hex on stdin and stdout.
 */
public class JdkMlKem {
  public static void main(String[] args) throws Exception {
    HexFormat hex = HexFormat.of();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
    PublicKey theirs = KeyFactory.getInstance("ML-KEM").generatePublic(new X509EncodedKeySpec(
        hex.parseHex(in.readLine())));
    KEM.Encapsulated encapsulated = KEM.getInstance("ML-KEM").newEncapsulator(theirs).encapsulate();
    System.out.println(hex.formatHex(encapsulated.encapsulation()));
    System.out.println(hex.formatHex(encapsulated.key().getEncoded()));
    KeyPair ours = KeyPairGenerator.getInstance(args[0]).generateKeyPair();
    System.out.println(hex.formatHex(ours.getPublic().getEncoded()));
    System.out.flush();
    byte[] ciphertext = hex.parseHex(in.readLine());
    System.out.println(hex.formatHex(KEM.getInstance("ML-KEM").newDecapsulator(ours.getPrivate())
        .decapsulate(ciphertext).getEncoded()));
  }
}
