package dev.envelope.core.keystore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Versions are lowercase hyphenated UUIDs in the store and their 16 bytes in an EDK; nothing else passes. */
class BranchKeyVersionsTest {
  @Test
  void randomVersionsRoundTripThroughTheirSixteenBytes() {
    for (int i = 0; i < 1_000; i++) {
      UUID uuid = UUID.randomUUID();
      byte[] expected = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
          .putLong(uuid.getLeastSignificantBits()).array();
      byte[] bytes = BranchKeyVersions.toBytes(uuid.toString());
      assertArrayEquals(expected, bytes, uuid.toString());
      assertEquals(uuid.toString(), BranchKeyVersions.fromBytes(bytes, 0));
    }
    assertArrayEquals(new byte[16], BranchKeyVersions.toBytes("00000000-0000-0000-0000-000000000000"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "0B6E2C1A-3F4D-4E5F-8A9B-0C1D2E3F4A5B", // uppercase: the AWS library would never find its item
      "0b6e2c1a-3f4d-4e5f-8a9b-0c1d2e3f4a5",   // 35 characters
      "0b6e2c1a-3f4d-4e5f-8a9b-0c1d2e3f4a5b0", // 37
      "0b6e2c1a3f4d-4e5f-8a9b-0c1d2e3f4a5b-",  // hyphens elsewhere
      "0b6e2c1a-3f4d-4e5f-8a9b-0c1d2e3f4a5g",  // not hex
      "0b6e2c1a-3f4d-4e5f-8a9b-0c1d2e3f4a5\u0661", // an Arabic-Indic digit
      "{b6e2c1a-3f4d-4e5f-8a9b-0c1d2e3f4a5b}",
  })
  void anythingButALowercaseUuidIsRefusedWithTheVersionNamed(String version) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BranchKeyVersions.toBytes(version));
    assertEquals("branch key version '" + version + "' is not a lowercase UUID", e.getMessage());
  }
}
