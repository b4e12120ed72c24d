package dev.envelope.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A 1 GiB stream round-trips in a child JVM whose heap is capped at 64 MB: memory does not grow with size. */
class LargeStreamTest {
  private static final long ONE_GIB = 1L << 30;

  @Test
  void oneGibStreamRoundTripsWithin64MbHeap() throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
        LargeStreamMain.class.getName(), Long.toString(ONE_GIB))
        .redirectErrorStream(true)
        .start();
    boolean finished = process.waitFor(10, TimeUnit.MINUTES);
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!finished) {
      process.destroyForcibly();
    }
    assertTrue(finished, "child JVM did not finish in 10 minutes");
    assertEquals(0, process.exitValue(), output);
    List<String> lines = output.lines().toList();
    String in = lines.stream().filter(l -> l.startsWith("in ")).findFirst().orElseThrow(() -> new AssertionError(output));
    String out = lines.stream().filter(l -> l.startsWith("out ")).findFirst().orElseThrow(() -> new AssertionError(output));
    assertEquals(in.substring(3).trim(), out.substring(4).trim(), "plaintext in and out differ");
    assertTrue(in.contains(" " + ONE_GIB + " "), in);
    long maxHeap = Long.parseLong(lines.stream().filter(l -> l.startsWith("maxHeap ")).findFirst().orElseThrow()
        .substring(8).trim());
    assertTrue(maxHeap <= 64L * 1024 * 1024, "child heap limit was " + maxHeap);
  }
}
