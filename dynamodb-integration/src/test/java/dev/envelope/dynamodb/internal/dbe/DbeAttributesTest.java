package dev.envelope.dynamodb.internal.dbe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Number normalization and attribute serialization edge cases of the DB-ESDK format, with the AWS library's
 * results and messages (its {@code NormalizeNumber.dfy} and {@code DynamoToStruct.dfy}, and the bytes of 3.9.0).
 */
class DbeAttributesTest {
  @ParameterizedTest
  @CsvSource({"010.50,10.5", "1e3,1000", "-0.0,0", ".5,0.5", "1.2E-3,0.0012", "+12345678901234567890123456789012345678e-10,"
      + "1234567890123456789012345678.9012345678", "0,0", "-7,-7", "5.,5", "100e-1,10", "1000e-2,10", "50e-3,0.05"})
  void numbersNormalizeAsTheAwsLibraryNormalizesThem(String input, String expected) {
    assertEquals(expected, DbeNumbers.normalize(input));
  }

  @Test
  void theLargestAndSmallestMagnitudesAreWrittenOut() {
    assertEquals("1" + "0".repeat(125), DbeNumbers.normalize("1E125"));
    assertEquals("0." + "0".repeat(129) + "1", DbeNumbers.normalize("1e-130"));
    assertEquals("-9.9", DbeNumbers.normalize("-0099e-1"));
    assertEquals("Invalid Character in number at ' '. when parsing '1 '.", assertThrows(DbeFormatException.class,
        () -> DbeNumbers.normalize("1 ")).getMessage(), "no whitespace trimming, as in the AWS library");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "''|An empty string is not a valid number. when parsing ''.",
      "-|An empty string is not a valid number. when parsing '-'.",
      ".|Number needs digits either before or after the decimal point. when parsing '.'.",
      "e5|Number needs digits either before or after the decimal point. when parsing 'e5'.",
      "1e|An empty string is not a valid number. when parsing '1e'.",
      "1ex|The character 'x' is not a valid decimal digit. when parsing '1ex'.",
      "123456789012345678901234567890123456789|Attempting to store more than 38 significant digits in a Number. "
          + "when parsing '123456789012345678901234567890123456789'.",
      "1e126|Attempting to store a number with magnitude larger than supported range. when parsing '1e126'.",
      "1e-131|Attempting to store a number with magnitude smaller than supported range. when parsing '1e-131'."})
  void invalidNumbersFailWithTheAwsLibrarysMessage(String input, String message) {
    assertEquals(message, assertThrows(DbeFormatException.class, () -> DbeNumbers.normalize(input)).getMessage());
  }

  @Test
  void setsAreOrderedByUtf16CodeUnitsAndNumbersAfterNormalization() {
    // U+FFFF sorts after the emoji's high surrogate (0xD83D) in UTF-16, before it by code point.
    AttributeValue tags = AttributeValue.fromSs(List.of("\uffff", "\uD83D\uDE00"));
    assertEquals("00000002" + "00000004f09f9880" + "00000003efbfbf",
        HexFormat.of().formatHex(DbeAttributes.serialize(tags)));
    assertEquals("00000003" + "000000023130" + "00000003313030" + "0000000139",
        HexFormat.of().formatHex(DbeAttributes.serialize(AttributeValue.fromNs(List.of("10", "9", "1e2")))));
    assertEquals("Number Set had duplicate values after normalization.", assertThrows(DbeFormatException.class,
        () -> DbeAttributes.serialize(AttributeValue.fromNs(List.of("10", "1e1")))).getMessage());
    assertEquals("String Set had duplicate values", assertThrows(DbeFormatException.class,
        () -> DbeAttributes.serialize(AttributeValue.fromSs(List.of("a", "a")))).getMessage());
  }

  @Test
  void nestingStopsAtDepthThirtyTwoAndValuesRoundTrip() {
    AttributeValue value = AttributeValue.fromS("hello");
    for (int i = 0; i < 31; i++) {
      value = i % 2 == 0 ? AttributeValue.fromM(Map.of("key", value)) : AttributeValue.fromL(List.of(value));
    }
    byte[] bytes = DbeAttributes.serialize(value); // 31 levels around the string: depth 32
    assertEquals(value, DbeAttributes.deserialize(DbeAttributes.typeId(value), bytes));
    AttributeValue tooDeep = AttributeValue.fromL(List.of(value));
    assertEquals("Depth of attribute structure to serialize exceeds limit of 32",
        assertThrows(DbeFormatException.class, () -> DbeAttributes.serialize(tooDeep)).getMessage());
  }

  @Test
  void canonicalPathsCountUtf16CodeUnitsAndPutShortNamesFirst() {
    byte[] table = "T".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertEquals("54" + "0000000000000001" + "24" + "0000000000000001" + "c3bc",
        HexFormat.of().formatHex(CanonicalPath.of(table, "ü")));
    assertEquals("54" + "0000000000000001" + "24" + "0000000000000002" + "f09f9880",
        HexFormat.of().formatHex(CanonicalPath.of(table, "\uD83D\uDE00")));
    assertEquals(true, java.util.Arrays.compareUnsigned(CanonicalPath.of(table, "zz"), CanonicalPath.of(table,
        "set")) < 0);
  }
}
