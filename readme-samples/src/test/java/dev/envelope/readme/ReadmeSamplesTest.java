package dev.envelope.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Compiles every {@code ```java} block of every README in the repository, as written, against the Envelope jars
 * this project resolved (installed ones when it runs alone). A block is import lines followed by either
 * statements (compiled as the body of a method that may throw) or class declarations (compiled as a file).
 */
class ReadmeSamplesTest {
  private static final Pattern JAVA_BLOCK = Pattern.compile("(?ms)^```java\\n(.*?)^```$");
  private static final Pattern TYPE_DECLARATION =
      Pattern.compile("(?m)^(?:@\\w+(?:\\([^)]*\\))?\\s+)*(public\\s+)?(?:abstract\\s+|final\\s+)*"
          + "(?:class|record|interface|enum)\\s+(\\w+)");

  private static Path repoRoot() {
    return Path.of(System.getProperty("envelope.repoRoot", "..")).toAbsolutePath().normalize();
  }

  @TestFactory
  Stream<DynamicTest> everyJavaSampleCompiles() throws IOException {
    List<Sample> samples = samples();
    assertTrue(samples.size() >= 8, "expected the README samples, found " + samples.size());
    return samples.stream().map(s -> DynamicTest.dynamicTest(s.origin(), () -> compile(s)));
  }

  @Test
  void theHarnessRejectsASampleThatDoesNotCompile() throws IOException {
    Sample broken = new Sample("broken", "import dev.envelope.core.Envelope;\n", "Envelope e = Envelope.nope();\n");
    AssertionError error = null;
    try {
      compile(broken);
    } catch (AssertionError e) {
      error = e;
    }
    assertTrue(error != null && error.getMessage().contains("nope"), "a broken sample must fail the build");
  }

  @Test
  void theBomPinsTheSdkAndTheVersionTheBuildUsed() throws IOException {
    String parent = Files.readString(repoRoot().resolve("pom.xml"));
    String bom = Files.readString(repoRoot().resolve("bom/pom.xml"));
    String sdk = tag(parent, "aws.sdk.version");
    assertEquals(sdk, tag(bom, "aws.sdk.version"), "bom/pom.xml must pin the AWS SDK the parent builds with");
    assertEquals(tag(parent, "version"), tag(bom, "envelope.version"), "bom/pom.xml must pin this version");
    // S3Proxy (declared first in this POM) brings SDK 2.54.x; the BOM import must have won.
    assertEquals(sdk, software.amazon.awssdk.core.util.VersionInfo.SDK_VERSION);
  }

  @Test
  void theKmsEmulatorClientWorksBesideS3Proxy() {
    // The symptom of a mixed SDK: NoSuchFieldError: USER_COUNTRY from the first client built.
    try (dev.envelope.kms.KmsEmulator kms = dev.envelope.kms.KmsEmulator.create()) {
      String keyId = kms.client().createKey(b -> {}).keyMetadata().keyId();
      assertFalse(keyId.isEmpty());
    }
  }

  private static String tag(String pom, String name) {
    String withoutParent = pom.replaceAll("(?s)<parent>.*?</parent>", "");
    Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(withoutParent);
    assertTrue(m.find(), "no <" + name + "> in POM");
    return m.group(1).trim();
  }

  private static List<Sample> samples() throws IOException {
    List<Path> readmes = new ArrayList<>();
    readmes.add(repoRoot().resolve("README.md"));
    try (Stream<Path> dirs = Files.list(repoRoot())) {
      dirs.filter(Files::isDirectory).map(d -> d.resolve("README.md")).filter(Files::isRegularFile).sorted()
          .forEach(readmes::add);
    }
    List<Sample> out = new ArrayList<>();
    for (Path readme : readmes) {
      String text = Files.readString(readme, StandardCharsets.UTF_8);
      Matcher m = JAVA_BLOCK.matcher(text);
      while (m.find()) {
        int line = text.substring(0, m.start()).split("\n", -1).length;
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (String l : m.group(1).split("\n", -1)) {
          (l.startsWith("import ") ? imports : body).append(l).append('\n');
        }
        out.add(new Sample(repoRoot().relativize(readme) + ":" + line, imports.toString(), body.toString()));
      }
    }
    return out;
  }

  private static void compile(Sample sample) throws IOException {
    String pkg = "readme.sample" + Integer.toHexString(sample.origin().hashCode() & 0x7fffffff);
    Matcher type = TYPE_DECLARATION.matcher(sample.body());
    String className;
    String source;
    if (type.find()) {
      className = type.group(1) != null ? type.group(2) : "Sample";
      source = "package " + pkg + ";\n" + sample.imports() + sample.body();
    } else {
      className = "Sample";
      source = "package " + pkg + ";\n" + sample.imports() + "class Sample {\n  void run() throws Exception {\n"
          + sample.body() + "  }\n}\n";
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    Path out = Files.createTempDirectory("readme-sample");
    try (StandardJavaFileManager files =
        javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
      JavaFileObject unit = new SimpleJavaFileObject(URI.create("string:///" + pkg.replace('.', '/') + "/"
          + className + ".java"), JavaFileObject.Kind.SOURCE) {
        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
          return source;
        }
      };
      List<String> options = List.of("-proc:none", "-classpath", System.getProperty("java.class.path"),
          "-d", out.toString(), "--release", "17");
      StringWriter log = new StringWriter();
      boolean ok = javac.getTask(log, files, diagnostics, options, null, List.of(unit)).call();
      if (!ok) {
        StringBuilder why = new StringBuilder("README sample " + sample.origin() + " does not compile:\n");
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
          if (d.getKind() == Diagnostic.Kind.ERROR) {
            why.append("  sample line ").append(d.getLineNumber() - headerLines(sample, source)).append(": ")
                .append(d.getMessage(Locale.ROOT)).append('\n');
          }
        }
        fail(why.append("--- as compiled ---\n").append(source).toString());
      }
    }
  }

  /** Lines added before the sample's first line, so that errors point into the README block. */
  private static long headerLines(Sample sample, String source) {
    int added = source.indexOf(sample.body()) < 0 ? 0 : source.substring(0, source.indexOf(sample.body()))
        .split("\n", -1).length - 1;
    int importLines = sample.imports().isEmpty() ? 0 : sample.imports().split("\n", -1).length - 1;
    return added - importLines;
  }

  private record Sample(String origin, String imports, String body) {}
}
