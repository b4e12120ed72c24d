package dev.envelope.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The layer zip that {@code mvn package} built (this test runs in the verify phase, after package): Lambda's
 * layout, the modules it must hold, nothing that should not be there, and its size against the target.
 */
class LayerZipTest {
  private static final long TARGET_UNZIPPED = 15L * 1024 * 1024;

  @Test
  void layerHasTheLambdaLayoutAndFitsTheTarget() throws IOException {
    Path zip = Path.of(System.getProperty("envelope.layerZip", "target/none.zip"));
    assertTrue(Files.isRegularFile(zip), "no layer at " + zip + ": run mvn package");
    List<String> jars = new ArrayList<>();
    long unzipped = 0;
    try (ZipFile file = new ZipFile(zip.toFile())) {
      for (ZipEntry entry : java.util.Collections.list(file.entries())) {
        if (entry.isDirectory()) {
          continue;
        }
        assertTrue(entry.getName().startsWith("java/lib/") && entry.getName().endsWith(".jar")
            && entry.getName().indexOf('/', "java/lib/".length()) < 0, "not java/lib/*.jar: " + entry.getName());
        jars.add(entry.getName().substring("java/lib/".length()));
        unzipped += entry.getSize();
      }
    }
    for (String module : List.of("sdk-core-", "s3-integration-", "lambda-integration-", "aws-lambda-java-core-",
        "aws-lambda-java-events-", "s3-2", "kms-2", "url-connection-client-")) {
      assertTrue(jars.stream().anyMatch(j -> j.startsWith(module)), "layer lacks " + module + ": " + jars);
    }
    for (String unwanted : List.of("bcprov", "aws-java-sdk-", "dafny", "netty", "apache-client", "apache5-client", "httpclient5", "junit",
        "kms-emulator", "s3proxy")) {
      assertTrue(jars.stream().noneMatch(j -> j.toLowerCase().contains(unwanted)), unwanted + " in the layer: "
          + jars);
    }
    System.out.printf("Lambda layer %s: %d jars, %,d bytes unzipped, %,d bytes zipped%n", zip.getFileName(),
        jars.size(), unzipped, Files.size(zip));
    assertTrue(unzipped < TARGET_UNZIPPED, "layer is " + unzipped + " bytes unzipped; target under "
        + TARGET_UNZIPPED);
    assertEquals(jars.size(), jars.stream().distinct().count());
  }
}
