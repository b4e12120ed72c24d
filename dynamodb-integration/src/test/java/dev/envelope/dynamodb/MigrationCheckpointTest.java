package dev.envelope.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.envelope.dynamodb.migration.MigrationCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A checkpoint's positions belong to one cut of the scan: bound to another number of segments it refuses, in memory
 * and across processes, before anything is read; a file written before the cut was recorded is still read.
 */
class MigrationCheckpointTest {
  @TempDir
  Path dir;

  @Test
  void positionsRecordedForOneCutAreRefusedForAnother() throws IOException {
    Path file = dir.resolve("m.properties");
    MigrationCheckpoint written = MigrationCheckpoint.file(file);
    written.bindSegments(4);
    written.save(1, Map.of("pk", AttributeValue.fromS("\u00fcber-7")));
    written.save(0, null);
    assertTrue(Files.readString(file).contains("segments=4"), Files.readString(file));
    assertThrows(IllegalStateException.class, () -> written.bindSegments(2));

    MigrationCheckpoint reread = MigrationCheckpoint.file(file);
    IllegalStateException refused = assertThrows(IllegalStateException.class, () -> reread.bindSegments(2));
    assertEquals("Migration checkpoint " + file + " holds the positions of a scan cut into 4 segments, and this "
        + "migration scans in 2: resumed so, parts of the table would be taken as done without being read. Resume "
        + "with 4 segments (envelope: --parallel 4, or --total-segments 4 with each --segment), or start over with "
        + "a new checkpoint", refused.getMessage());
    reread.bindSegments(4);
    assertEquals("\u00fcber-7", reread.position(1).orElseThrow().get("pk").s());
    assertTrue(reread.done(0));

    MigrationCheckpoint memory = MigrationCheckpoint.inMemory();
    memory.bindSegments(3);
    assertThrows(IllegalStateException.class, () -> memory.bindSegments(1));
  }

  @Test
  void aFileWithoutItsCutIsReadAsBefore() throws IOException {
    Path file = Files.writeString(dir.resolve("old.properties"), "segment.0.done=true\nsegment.2.key.pk=N:42\n");
    MigrationCheckpoint old = MigrationCheckpoint.file(file);
    old.bindSegments(3);
    assertTrue(old.done(0));
    assertEquals("42", old.position(2).orElseThrow().get("pk").n());
  }
}
