package dev.envelope.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A parallel multipart upload of 1 GiB and its parallel download to a file, in a child JVM whose heap is capped at
 * 64 MiB. The S3 emulator runs here, on a disk store, so that only the client is measured.
 */
class BigUploadTest {
  private static final long SIZE = 1L << 30;

  @Test
  void parallelUploadAndDownloadOf1GibFitIn64MibOfHeap(@TempDir Path dir) throws Exception {
    Path store = Files.createDirectory(dir.resolve("store"));
    Path target = dir.resolve("downloaded");
    S3Proxy proxy = S3TestParts.start(new FilesystemNio2BlobStore(store.toString()));
    try {
      URI endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
      S3TestParts.s3(endpoint).createBucket(b -> b.bucket("big"));
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process process = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
          BigUploadMain.class.getName(), endpoint.toString(), "big", Long.toString(SIZE), target.toString())
          .redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(process.waitFor(5, TimeUnit.MINUTES), "child did not finish");
      assertEquals(0, process.exitValue(), output);
      List<String> lines = output.lines().toList();
      assertEquals(field(lines, "in "), field(lines, "out "), output);
      assertEquals(Long.toString(SIZE), field(lines, "length "));
      assertEquals(Long.toString(SIZE), field(lines, "fileLength "));
      assertTrue(Long.parseLong(field(lines, "maxHeap ")) <= 64L << 20, output);
    } finally {
      proxy.stop();
    }
  }

  private static String field(List<String> lines, String prefix) throws IOException {
    return lines.stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()).trim())
        .findFirst().orElseThrow(() -> new IOException("no '" + prefix + "' in " + lines));
  }
}
