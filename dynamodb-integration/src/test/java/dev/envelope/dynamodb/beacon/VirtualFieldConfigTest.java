package dev.envelope.dynamodb.beacon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.envelope.dynamodb.CryptoAction;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Virtual fields and locations as the AWS library defines them: values of missing or non-string locations, the
 * configuration rules, each refusal with its message.
 */
class VirtualFieldConfigTest {
  private static final Map<String, CryptoAction> ACTIONS = Map.of("pk", CryptoAction.SIGN_ONLY,
      "name", CryptoAction.ENCRYPT_AND_SIGN, "city", CryptoAction.SIGN_ONLY, "note", CryptoAction.DO_NOTHING);
  private static final StandardBeacon ON_NAME = StandardBeacon.of("nameBeacon", 8).withLocation("name");

  private static String refused(List<StandardBeacon> standard, VirtualField... fields) {
    return assertThrows(IllegalArgumentException.class, () -> BeaconConfig.of(() -> new byte[32], standard,
        List.of()).withVirtualFields(List.of(fields)).signedBeaconActions("People", ACTIONS, null)).getMessage();
  }

  @Test
  void aVirtualFieldHasNoValueWhenAPartIsMissingAndRefusesValuesWithoutAStringForm() {
    VirtualField f = VirtualField.of("key", VirtualField.Part.of("name", VirtualTransform.lower()),
        VirtualField.Part.of("addr.lines[1]"));
    assertNull(f.valueIn(Map.of("name", AttributeValue.fromS("Ann"))));
    assertNull(f.valueIn(Map.of("name", AttributeValue.fromS("Ann"), "addr", AttributeValue.fromS("flat"))));
    assertEquals("annx", f.valueIn(Map.of("name", AttributeValue.fromS("Ann"), "addr", AttributeValue.fromM(Map.of(
        "lines", AttributeValue.fromL(List.of(AttributeValue.fromS("a"), AttributeValue.fromS("x"))))))));
    assertEquals("truenull", VirtualField.of("b", VirtualField.Part.of("x"), VirtualField.Part.of("y"))
        .valueIn(Map.of("x", AttributeValue.fromBool(true), "y", AttributeValue.fromNul(true))));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.valueIn(Map.of("name",
        AttributeValue.fromSs(List.of("a")), "addr", AttributeValue.fromS("x"))));
    assertEquals("Virtual field key: name is SS, which has no string form (S, N, BOOL or NULL)", e.getMessage());
  }

  @Test
  void malformedLocationsAreRefused() {
    assertEquals("a.b[3].c", TerminalLocation.parse("a.b[3].c").toString());
    assertEquals("List index [x] of location a[x] is not a number up to 999999999",
        assertThrows(IllegalArgumentException.class, () -> TerminalLocation.parse("a[x]")).getMessage());
    assertEquals("Path specification must not be empty.",
        assertThrows(IllegalArgumentException.class, () -> TerminalLocation.parse("")).getMessage());
  }

  @Test
  void theAwsLibrarysConfigurationRulesHold() {
    assertEquals("Table People: virtual field key reads note, which must be signed (ENCRYPT_AND_SIGN, SIGN_ONLY or "
        + "SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT)", refused(List.of(ON_NAME),
        VirtualField.of("key", VirtualField.Part.of("name"), VirtualField.Part.of("note"))));
    assertEquals("Table People: virtual field city has the name of a configured attribute", refused(List.of(ON_NAME),
        VirtualField.of("city", VirtualField.Part.of("name"))));
    assertEquals("Table People: virtual field b is defined on the same locations as a", refused(List.of(ON_NAME),
        VirtualField.of("a", VirtualField.Part.of("name"), VirtualField.Part.of("city")),
        VirtualField.of("b", VirtualField.Part.of("city", VirtualTransform.upper()), VirtualField.Part.of("name"))));
    assertEquals("Table People: beacon nameBeacon is defined on location name, but virtual field lower is already "
        + "defined on that single location", refused(List.of(ON_NAME),
        VirtualField.of("lower", VirtualField.Part.of("name", VirtualTransform.lower()))));
    assertEquals("Table People: standard beacon cityBeacon hashes cityKey, which must be ENCRYPT_AND_SIGN in at "
        + "least one part (a beacon of a plaintext value would only leak)", refused(List.of(ON_NAME,
        StandardBeacon.of("cityBeacon", 8).withLocation("cityKey")),
        VirtualField.of("cityKey", VirtualField.Part.of("city", VirtualTransform.lower()))));
    assertEquals("Table People: beacon second is defined on location name, but beacon nameBeacon is already "
        + "defined on that location", refused(List.of(ON_NAME, StandardBeacon.of("second", 8).withLocation("name"))));
  }
}
