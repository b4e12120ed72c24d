package dev.envelope.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Runs one file operation (encrypt or decrypt) over an input: stdin, a file, or a directory tree, in parallel. Each
 * output is written beside its final name and moved into place only when whole, so an output that exists is
 * complete: a re-run skips it (unless told to overwrite) and so continues where an interrupted run stopped. A failed
 * file leaves no output and does not stop the others.
 */
final class FileJobs {
  /** What is done to each file's bytes; returns a JSON description (the header) for the metadata output. */
  interface Operation {
    ObjectNode apply(InputStream in, OutputStream out, Path source) throws IOException;
  }

  private final String mode;
  private final Operation operation;
  private final String suffix;
  private final boolean overwrite;
  private final boolean buffer;
  private final int parallelism;
  private final Io io;
  private final MetadataOutput metadata;

  FileJobs(String mode, Operation operation, String suffix, boolean overwrite, boolean buffer, int parallelism,
      Io io, MetadataOutput metadata) {
    this.mode = mode;
    this.buffer = buffer;
    this.operation = operation;
    this.suffix = suffix;
    this.overwrite = overwrite;
    this.parallelism = parallelism;
    this.io = io;
    this.metadata = metadata;
  }

  /** Runs over {@code input} to {@code output} ("-" for the standard streams) and returns the tally. */
  Tally run(String input, String output, boolean recursive) throws IOException, InterruptedException {
    Tally tally = new Tally(mode);
    if (input.equals("-")) {
      if (!output.equals("-") && Files.isDirectory(Path.of(output))) {
        throw new UsageException("standard input needs an output file or -, not the directory " + output);
      }
      one(null, output.equals("-") ? null : Path.of(output), tally);
      return tally;
    }
    Path source = Path.of(input);
    if (!Files.exists(source)) {
      throw new UsageException("input " + input + " does not exist");
    }
    if (Files.isDirectory(source)) {
      if (!recursive) {
        throw new UsageException(input + " is a directory: add --recursive to " + mode + " every file under it");
      }
      if (output.equals("-")) {
        throw new UsageException("a directory's files need an output directory, not standard output");
      }
      Path target = Path.of(output);
      if (Files.exists(target) && !Files.isDirectory(target)) {
        throw new UsageException("output " + output + " is a file; a directory input needs an output directory");
      }
      tree(source, target, tally);
      return tally;
    }
    Path target = output.equals("-") ? null : Path.of(output);
    if (target != null && Files.isDirectory(target)) {
      target = target.resolve(source.getFileName() + suffix);
    }
    one(source, target, tally);
    return tally;
  }

  private void tree(Path source, Path target, Tally tally) throws IOException, InterruptedException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(source)) {
      files = walk.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().contains(".partial-"))
          .sorted().toList();
    }
    Progress progress = new Progress(io, mode, files.size(), "files");
    try {
      Parallel.each(files, parallelism, mode, file -> {
        one(file, target.resolve(source.relativize(file).toString() + suffix), tally);
        progress.advance(1);
      });
    } finally {
      progress.finish();
    }
  }

  /** One file: never throws for the file's own failure, which goes to the tally and the metadata output. */
  private void one(Path source, Path target, Tally tally) throws IOException {
    String in = source == null ? "<stdin>" : source.toString();
    String out = target == null ? "<stdout>" : target.toString();
    if (target != null && Files.exists(target) && !overwrite) {
      tally.skipped(in, "output exists (complete: outputs appear only when whole); --overwrite replaces it");
      metadata.record(mode, in, out, "skipped", null, "output exists");
      return;
    }
    Path partial = null;
    try {
      ObjectNode header;
      long bytes;
      try (InputStream input = source == null ? io.in() : new BufferedInputStream(Files.newInputStream(source),
          1 << 16)) {
        CountingInputStream counted = new CountingInputStream(input);
        if (target == null) {
          OutputStream stdout = new BufferedOutputStream(new NonClosing(io.out()), 1 << 16);
          if (buffer) {
            HeldOutput held = HeldOutput.quarterOfTheHeap();
            try {
              header = operation.apply(counted, held, source);
              held.releaseTo(stdout);
            } finally {
              held.discard();
            }
          } else {
            header = operation.apply(counted, stdout, source);
          }
          stdout.flush();
        } else {
          Files.createDirectories(target.toAbsolutePath().getParent());
          partial = target.resolveSibling("." + target.getFileName() + ".partial-" + ProcessHandle.current().pid());
          try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(partial), 1 << 16)) {
            header = operation.apply(counted, file, source);
          }
          move(partial, target);
          partial = null;
        }
        bytes = counted.count();
      }
      tally.done(bytes);
      metadata.record(mode, in, out, "done", header, null);
    } catch (IOException | RuntimeException e) {
      tally.failed(in, EnvelopeCli.describe(e));
      metadata.record(mode, in, out, "failed", null, EnvelopeCli.describe(e));
    } finally {
      if (partial != null) {
        Files.deleteIfExists(partial);
      }
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Counts the bytes read: the input size, for throughput. */
  private static final class CountingInputStream extends java.io.FilterInputStream {
    private final AtomicLong count = new AtomicLong();

    CountingInputStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count.incrementAndGet();
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count.addAndGet(n);
      }
      return n;
    }

    long count() {
      return count.get();
    }
  }

  /** Standard output stays open for whatever is printed after the data. */
  private static final class NonClosing extends java.io.FilterOutputStream {
    NonClosing(PrintStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
