package dev.envelope.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.dynamodb.beacon.Beacons;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.PartOnly;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.model.Shared;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.transforms.DynamoDbEncryptionTransforms;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.transforms.model.PutItemInputTransformInput;

/**
 * Beacon values against the AWS Database Encryption SDK 3.9.0's own: its transforms encrypt items with a beacon
 * configuration (branch and beacon keys in a key store on the emulators), and every {@code aws_dbe_b_*} attribute
 * and signed compound beacon it writes must equal what {@link Beacons} computes from the same beacon key: strings,
 * numbers as written and normalized, binary, non-ASCII, sets, every length from 1 to 63 bits, Shared, PartOnly,
 * compound beacons with default and explicit constructors and optional parts.
 */
class BeaconInteropTest {
  private static final String TABLE = BeaconFixture.TABLE;
  private static final int[] LENGTHS = BeaconFixture.LENGTHS;
  private static BeaconFixture fixture;
  private static DynamoDbEncryptionTransforms theirs;
  private static Beacons ours;

  @BeforeAll
  static void start() {
    fixture = new BeaconFixture();
    theirs = fixture.theirs;
    ours = fixture.ours;
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  private static Map<String, AttributeValue> theirWrite(Map<String, AttributeValue> item) {
    return theirs.PutItemInputTransform(PutItemInputTransformInput.builder().sdkInput(PutItemRequest.builder()
        .tableName(TABLE).item(item).build()).build()).transformedInput().item();
  }

  /** Their beacon attributes (and signed compound beacons) against ours, set members compared as sets. */
  private static void assertSameBeacons(Map<String, AttributeValue> item) {
    Map<String, AttributeValue> written = theirWrite(item);
    Map<String, Object> theirBeacons = new TreeMap<>();
    written.forEach((name, value) -> {
      if (name.startsWith(Beacons.ATTRIBUTE_PREFIX) || name.equals("where")) {
        theirBeacons.put(name, value.ss().isEmpty() ? value.s() : new HashSet<>(value.ss()));
      }
    });
    Map<String, Object> ourBeacons = new TreeMap<>();
    Map<String, AttributeValue> computed = new LinkedHashMap<>(ours.encryptedBeacons(item));
    computed.putAll(ours.signedBeacons(item));
    computed.forEach((name, value) -> ourBeacons.put(name, value.ss().isEmpty() ? value.s()
        : new HashSet<>(value.ss())));
    assertEquals(theirBeacons, ourBeacons, item.toString());
  }

  private static Map<String, AttributeValue> item(String email, String number) {
    Map<String, AttributeValue> item = new LinkedHashMap<>();
    item.put("pk", AttributeValue.fromS("c-" + email));
    item.put("email", AttributeValue.fromS(email));
    item.put("backupEmail", AttributeValue.fromS(email));
    item.put("zip", AttributeValue.fromN(number));
    item.put("photo", AttributeValue.fromB(SdkBytes.fromUtf8String(email + number)));
    item.put("tags", AttributeValue.fromSs(List.of("vip", email, "ünïcode")));
    item.put("codes", AttributeValue.fromNs(List.of(number, "77")));
    item.put("ssn", AttributeValue.fromS("123-45-" + number));
    item.put("ts", AttributeValue.fromS("20260101T" + number));
    item.put("region", AttributeValue.fromS("eu"));
    for (int length : LENGTHS) {
      item.put("v" + length, AttributeValue.fromS(email + length));
    }
    String dotted = "Mixed.Case." + email + ".Ünï.end";
    for (int i = 1; i <= 8; i++) {
      item.put("w" + i, AttributeValue.fromS(i % 2 == 0 ? dotted : email + "." + number));
    }
    item.put("addr", AttributeValue.fromM(Map.of("zip", AttributeValue.fromN(number), "lines", AttributeValue.fromL(
        List.of(AttributeValue.fromS("1 Main St"), AttributeValue.fromS(email))))));
    return item;
  }

  @Test
  void everyBeaconEqualsTheAwsLibrarysForAMatrixOfValues() {
    for (String[] values : new String[][] {{"a@b.c", "02139"}, {"jürgen@exämple.de", "1e3"}, {"", "-0.50"},
        {"x", "12345678901234567890"}, {"@emoji\uD83D\uDE00", "7"}}) {
      assertSameBeacons(item(values[0], values[1]));
    }
  }

  @Test
  void optionalPartsAndMissingRequiredPartsBuildWhatTheAwsLibraryBuilds() {
    Map<String, AttributeValue> noSsn = item("a@b.c", "1");
    noSsn.remove("ssn"); // idx falls back to its second constructor
    assertSameBeacons(noSsn);
    Map<String, AttributeValue> noTs = item("a@b.c", "2");
    noTs.remove("ts"); // cmp and where cannot be built; idx skips its optional ts
    assertSameBeacons(noTs);
    assertFalse(ours.encryptedBeacons(noTs).containsKey("aws_dbe_b_cmp"));
    assertTrue(ours.encryptedBeacons(noTs).containsKey("aws_dbe_b_idx"));
  }

  @Test
  void refusalsMatchTheAwsLibrarys() {
    Map<String, AttributeValue> split = item("a@b.c", "3");
    split.put("ts", AttributeValue.fromS("2026|01"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ours.encryptedBeacons(split));
    assertEquals("Compound beacon cmp: the value of ts contains the split character '|'", e.getMessage());
    assertThrows(RuntimeException.class, () -> theirWrite(split));

    Map<String, AttributeValue> cut = item("\uD83D\uDE00@emoji", "7"); // substring(1, ...) splits the emoji
    e = assertThrows(IllegalArgumentException.class, () -> ours.encryptedBeacons(cut));
    assertEquals("Virtual field vf3: a transform cut a character in two (at position 0), which has no UTF-8 form; "
        + "choose positions that keep emoji and other characters beyond U+FFFF whole", e.getMessage());
    assertThrows(RuntimeException.class, () -> theirWrite(cut));

    Map<String, AttributeValue> notASet = item("a@b.c", "4");
    notASet.put("tags", AttributeValue.fromS("vip"));
    assertThrows(IllegalArgumentException.class, () -> ours.encryptedBeacons(notASet));
    assertThrows(RuntimeException.class, () -> theirWrite(notASet));
  }
}
