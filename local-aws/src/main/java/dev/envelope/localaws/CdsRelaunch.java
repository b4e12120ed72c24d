package dev.envelope.localaws;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * Lets a plain {@code java -jar local-aws.jar} start as fast as {@code scripts/local-aws}: JVM options cannot come
 * from a jar, so the jar starts itself again in a child JVM that maps a class-data-sharing archive of its own
 * classes (written by the first start, when that child exits), with the same JVM options, arguments, standard
 * streams and exit status. Start-up to the first answer of all four services goes from about 1.5-1.8 s to about
 * 1.1 s on two cores (BENCHMARKS.md).
 *
 * <p>It stays in one JVM, as before, when {@code LOCAL_AWS_CDS=off}, when the JVM already has an archive option
 * (the launcher script), when not started from a jar, when the cache directory cannot be written, or for
 * {@code --help}. The parent stops the child when it is stopped itself (SIGTERM, Ctrl-C), and the child stops when
 * its parent is gone (even after SIGKILL), so it never holds the port alone.
 */
final class CdsRelaunch {
  /** Set on the child: the parent's process id. */
  static final String PARENT_PROPERTY = "envelope.localaws.parent";

  private CdsRelaunch() {}

  /**
   * Runs the server in a child JVM with the archive and returns the child's exit status, or empty when the server
   * should run in this JVM.
   */
  static OptionalInt run(String[] args) throws InterruptedException {
    if (System.getProperty(PARENT_PROPERTY) != null || "off".equals(System.getenv("LOCAL_AWS_CDS"))
        || Arrays.stream(args).anyMatch(a -> a.equals("--help") || a.equals("-h"))) {
      return OptionalInt.empty();
    }
    Optional<Path> jar = jar();
    Optional<String> java = ProcessHandle.current().info().command();
    Optional<String[]> commandLine = ProcessHandle.current().info().arguments();
    if (jar.isEmpty() || java.isEmpty() || commandLine.isEmpty()) {
      return OptionalInt.empty();
    }
    List<String> jvmOptions = jvmOptions(commandLine.get());
    if (jvmOptions == null || jvmOptions.stream().anyMatch(o -> o.startsWith("-XX:SharedArchiveFile")
        || o.startsWith("-XX:ArchiveClassesAtExit") || o.startsWith("-Xshare"))) {
      return OptionalInt.empty();
    }
    Path archive;
    try {
      archive = archiveFor(jar.get());
      Files.createDirectories(archive.getParent());
    } catch (IOException | RuntimeException e) {
      return OptionalInt.empty(); // no writable cache: start here, without an archive
    }
    boolean first = !Files.isRegularFile(archive);
    Path partial = archive.resolveSibling(archive.getFileName() + "." + ProcessHandle.current().pid() + ".partial");
    List<String> command = new ArrayList<>();
    command.add(java.get());
    command.addAll(jvmOptions);
    command.add(first ? "-XX:ArchiveClassesAtExit=" + partial : "-XX:SharedArchiveFile=" + archive);
    command.addAll(List.of("-Xshare:auto", "-Xlog:cds=off", "-Xlog:cds+dynamic=off",
        "-D" + PARENT_PROPERTY + "=" + ProcessHandle.current().pid(), "-jar", jar.get().toString()));
    command.addAll(List.of(args));
    Process child;
    try {
      child = new ProcessBuilder(command).inheritIO().start();
    } catch (IOException e) {
      return OptionalInt.empty();
    }
    Runnable finish = () -> {
      if (first) {
        keep(partial, archive);
      }
    };
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (child.isAlive()) {
        child.destroy();
        try {
          if (!child.waitFor(20, TimeUnit.SECONDS)) {
            child.destroyForcibly();
          }
        } catch (InterruptedException e) {
          child.destroyForcibly();
        }
      }
      finish.run();
    }, "local-aws-child-stop"));
    int status = child.waitFor();
    finish.run();
    return OptionalInt.of(status);
  }

  /**
   * In the child: exits when the parent is gone, so that no orphan keeps the port. The parent's exit shows as this
   * process's parent changing (Linux re-parents children when their parent exits, even while the dead parent waits
   * as a zombie to be reaped, which {@code ProcessHandle.onExit} would still count as alive); checked five times a
   * second on a daemon thread.
   */
  static void exitWithParent() {
    String parent = System.getProperty(PARENT_PROPERTY);
    if (parent == null) {
      return;
    }
    long expected;
    try {
      expected = Long.parseLong(parent);
    } catch (NumberFormatException e) {
      return; // not set by CdsRelaunch: nothing to watch
    }
    Thread watch = new Thread(() -> {
      while (ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L) == expected) {
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          return;
        }
      }
      System.err.println("local-aws: the process that started this one is gone; stopping");
      System.exit(143);
    }, "local-aws-parent-watch");
    watch.setDaemon(true);
    watch.start();
  }

  /** The options before {@code -jar} on this JVM's command line, or null if it was not started with -jar. */
  private static List<String> jvmOptions(String[] commandLine) {
    int jarIndex = Arrays.asList(commandLine).indexOf("-jar");
    return jarIndex < 0 ? null : List.of(commandLine).subList(0, jarIndex);
  }

  private static Optional<Path> jar() {
    try {
      Path location = Path.of(CdsRelaunch.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return location.toString().endsWith(".jar") && Files.isRegularFile(location) ? Optional.of(location)
          : Optional.empty();
    } catch (URISyntaxException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** One archive per jar build and Java runtime: an archive of other classes or another JVM is not mapped. */
  static Path archiveFor(Path jar) throws IOException {
    String cache = System.getenv("XDG_CACHE_HOME");
    Path base = cache != null && !cache.isBlank() ? Path.of(cache) : Path.of(System.getProperty("user.home"),
        ".cache");
    String stamp = Files.size(jar) + "-" + Files.getLastModifiedTime(jar).toMillis() + "-java"
        + Runtime.version().toString().replaceAll("[^0-9A-Za-z.+-]", "_");
    return base.resolve("envelope").resolve("local-aws-jar-" + stamp + ".jsa");
  }

  /** The archive the first child wrote, under its final name only when whole (a killed start leaves none). */
  private static void keep(Path partial, Path archive) {
    try {
      if (Files.isRegularFile(partial) && Files.size(partial) > 0) {
        Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } else {
        Files.deleteIfExists(partial);
      }
    } catch (IOException e) {
      // the next start tries again
    }
  }
}
