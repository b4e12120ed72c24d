package dev.envelope.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keeps the client a facade: formats live in their handlers, so the client names no format, switches on nothing
 * and tests no keyring type. A change that grows format logic back into it fails here, with where to put it.
 */
class ClientLayoutTest {
  private static final Path SOURCE = Path.of("src/main/java/dev/envelope/s3/EncryptingS3Client.java");

  @Test
  void theClientIsAFacadeOfAFewHundredLines() throws IOException {
    List<String> lines = Files.readAllLines(SOURCE);
    assertTrue(lines.size() < 400, "EncryptingS3Client.java has " + lines.size() + " lines; put format logic in "
        + "FramedObjects / S3ecObjectWriter / S3ecObjectReader and multi-request work in MultipartUploads, "
        + "ParallelUpload, ObjectCopy or ObjectDeletes");
    List<String> formatLogic = lines.stream().filter(l -> !l.trim().startsWith("*") && !l.trim().startsWith("//"))
        .filter(l -> l.contains("switch") || l.contains("instanceof") || l.contains("ObjectFormat.")
            || l.contains("S3ecMetadata") || l.contains("FRAMED_FORMAT_VALUE.equals"))
        .toList();
    assertEquals(List.of(), formatLogic, "format decisions belong to ObjectWriter.forFormat and ObjectReaders");
  }
}
