package dev.envelope.localaws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar local-aws.jar} serving from a child JVM with its class-data-sharing archive ({@link CdsRelaunch}):
 * the first start writes the archive, later starts map it, the child never outlives its parent (not even a
 * SIGKILLed one), exit statuses pass through, and {@code LOCAL_AWS_CDS=off} keeps one JVM. Run on a jar made here
 * from this module's classes, with the dependencies on its manifest's class path.
 */
class CdsRelaunchTest {
  private static final Pattern READY = Pattern.compile("local-aws listening on http://127\\.0\\.0\\.1:(\\d+)");

  @Test
  void aPlainJavaJarServesFromAChildWithItsArchiveAndTheChildNeverOutlivesIt(@TempDir Path dir) throws Exception {
    Path jar = runnableJar(dir);
    Path cache = dir.resolve("cache");

    Started first = start(jar, cache, null, "--port", "0", "--bind", "127.0.0.1");
    assertTrue(first.childArguments().stream().anyMatch(a -> a.startsWith("-XX:ArchiveClassesAtExit=")),
        "the first start writes the archive: " + first.childArguments());
    assertHealthy(first.port());
    first.process().destroy();
    assertEquals(143, first.process().waitFor(), "SIGTERM: the parent stops the child and exits as stopped");
    List<Path> archives;
    try (Stream<Path> files = Files.list(cache.resolve("envelope"))) {
      archives = files.toList();
    }
    assertEquals(1, archives.size(), "one archive, no partial file left: " + archives);
    assertTrue(archives.get(0).getFileName().toString().endsWith(".jsa") && Files.size(archives.get(0)) > 0);

    Started second = start(jar, cache, null, "--port", "0", "--bind", "127.0.0.1");
    assertTrue(second.childArguments().contains("-XX:SharedArchiveFile=" + archives.get(0)),
        "later starts map it: " + second.childArguments());
    assertHealthy(second.port());
    second.process().destroyForcibly(); // SIGKILL: the parent cannot stop its child
    second.process().waitFor();
    second.child().onExit().get(10, TimeUnit.SECONDS);
    assertTrue(!second.child().isAlive(), "the child stops when its parent is gone");

    Started oneJvm = start(jar, cache, "off", "--port", "0", "--bind", "127.0.0.1");
    assertEquals(null, oneJvm.child(), "LOCAL_AWS_CDS=off: no child");
    assertHealthy(oneJvm.port());
    oneJvm.process().destroy();
    oneJvm.process().waitFor();

    Process refused = command(jar, cache, null, "--port", "not-a-number").start();
    String output = new String(refused.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(2, refused.waitFor(), "the child's exit status is the parent's: " + output);
    assertTrue(output.contains("--port must be a number"), output);
  }

  private record Started(Process process, ProcessHandle child, List<String> childArguments, int port) {}

  private static Started start(Path jar, Path cache, String cds, String... args) throws IOException {
    Process process = command(jar, cache, cds, args).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line;
    int port = -1;
    StringBuilder seen = new StringBuilder();
    while (port < 0 && (line = out.readLine()) != null) {
      seen.append(line).append('\n');
      Matcher m = READY.matcher(line);
      if (m.find()) {
        port = Integer.parseInt(m.group(1));
      }
    }
    assertTrue(port > 0, "no ready line: " + seen);
    Thread drain = new Thread(() -> {
      try {
        out.transferTo(java.io.Writer.nullWriter());
      } catch (IOException e) {
        // the process ended
      }
    });
    drain.setDaemon(true);
    drain.start();
    ProcessHandle child = process.children().filter(p -> p.info().command().orElse("").contains("java"))
        .findFirst().orElse(null);
    List<String> childArguments = child == null ? List.of() : List.of(child.info().arguments().orElse(new String[0]));
    return new Started(process, child, childArguments, port);
  }

  private static ProcessBuilder command(Path jar, Path cache, String cds, String... args) {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-jar", jar.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("XDG_CACHE_HOME", cache.toString());
    if (cds == null) {
      builder.environment().remove("LOCAL_AWS_CDS");
    } else {
      builder.environment().put("LOCAL_AWS_CDS", cds);
    }
    return builder;
  }

  private static void assertHealthy(int port) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      OutputStream out = socket.getOutputStream();
      out.write(("GET /_localstack/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
    }
  }

  /**
   * This module's classes as a jar whose manifest names the main class and every dependency jar of this test's
   * class path (the class-data-sharing archive takes classes from jars only).
   */
  private static Path runnableJar(Path dir) throws Exception {
    Path classes = Path.of(LocalAwsMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    StringBuilder classPath = new StringBuilder();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (entry.endsWith(".jar")) {
        classPath.append(Path.of(entry).toUri()).append(' ');
      }
    }
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, LocalAwsMain.class.getName());
    manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath.toString().trim());
    Path jar = dir.resolve("local-aws-under-test.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
        Stream<Path> files = Files.walk(classes)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace(File.separatorChar, '/')));
        Files.copy(file, out);
        out.closeEntry();
      }
    }
    return jar;
  }
}
