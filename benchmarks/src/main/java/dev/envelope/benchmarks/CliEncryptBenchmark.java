package dev.envelope.benchmarks;

import dev.envelope.cli.EnvelopeCli;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code envelope encrypt} (in process, a raw AES key, 64 KiB frames, files in parallel on both cores; suite 0x0578,
 * the default, signs each message with a fresh ECDSA P-384 key; {@code envelope-unsigned} is 0x0478) against a plain copy of the same data on the same disk ({@code copy}: {@code Files.copy} per file, what
 * {@code cp -r} does), the ceiling the disk sets: a directory of 10,000 files of 4 KiB, and one 1 GiB file.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
public class CliEncryptBenchmark {
  @Param({"10000x4KiB", "1x1GiB"})
  public String input;

  @Param({"envelope", "envelope-unsigned", "copy"})
  public String tool;

  private Path root;
  private Path source;
  private Path key;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    root = Files.createTempDirectory("envelope-cli-bench");
    source = Files.createDirectories(root.resolve("in"));
    key = Files.write(root.resolve("aes.key"), new byte[32]);
    Random random = new Random(1);
    if (input.equals("10000x4KiB")) {
      byte[] data = new byte[4096];
      for (int i = 0; i < 10_000; i++) {
        random.nextBytes(data);
        Path subdirectory = Files.createDirectories(source.resolve(String.format("d%02d", i % 100)));
        Files.write(subdirectory.resolve(String.format("f%05d", i)), data);
      }
    } else {
      byte[] chunk = new byte[1 << 20];
      try (OutputStream out = Files.newOutputStream(source.resolve("big"))) {
        for (int i = 0; i < 1024; i++) {
          random.nextBytes(chunk);
          out.write(chunk);
        }
      }
    }
  }

  /** Outside the measured time: the previous output goes, as the disk's cache would let it. */
  @Setup(Level.Invocation)
  public void clean() throws IOException {
    delete(root.resolve("out"));
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    delete(root);
  }

  @Benchmark
  public int run() throws IOException {
    Path out = root.resolve("out");
    if (tool.equals("copy")) {
      try (Stream<Path> files = Files.walk(source)) {
        for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
          Path target = out.resolve(source.relativize(file).toString());
          Files.createDirectories(target.getParent());
          Files.copy(file, target);
        }
      }
      return 0;
    }
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    int code = EnvelopeCli.run(new String[] {"encrypt", "-r", "-i", source.toString(), "-o", out.toString(),
        "-w", "provider=raw-aes", "key-file=" + key, "namespace=bench", "name=k", "--parallel", "2", "--algorithm",
        tool.equals("envelope") ? "0x0578" : "0x0478"},
        new ByteArrayInputStream(new byte[0]), quiet, quiet, false);
    if (code != 0) {
      throw new IllegalStateException("envelope encrypt exited " + code);
    }
    return code;
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }
}
