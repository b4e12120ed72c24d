package dev.envelope.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No module's main code imports another module's {@code internal} package: what adapters need from the core is in
 * {@code dev.envelope.core.spi}. Scans the sources of every module of the reactor (the directory above this one).
 */
class ModuleBoundaryTest {
  private static final Pattern IMPORT = Pattern.compile("^import (?:static )?(dev\\.envelope\\.[\\w.]+);",
      Pattern.MULTILINE);

  @Test
  void noModuleImportsAnotherModulesInternals() throws IOException {
    Path root = Path.of(System.getProperty("user.dir")).getParent();
    assertTrue(Files.exists(root.resolve("pom.xml")) && Files.isDirectory(root.resolve("sdk-core")),
        "run from the sdk-core module of the reactor: " + root);
    Map<String, String> packageOwner = new HashMap<>();
    List<Path> modules = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(root)) {
      dirs.filter(d -> Files.isDirectory(d.resolve("src/main/java"))).forEach(modules::add);
    }
    for (Path module : modules) {
      try (Stream<Path> files = Files.walk(module.resolve("src/main/java"))) {
        files.filter(f -> f.toString().endsWith(".java")).forEach(f -> packageOwner.put(
            module.resolve("src/main/java").relativize(f.getParent()).toString().replace('/', '.'),
            module.getFileName().toString()));
      }
    }
    List<String> violations = new ArrayList<>();
    int imports = 0;
    for (Path module : modules) {
      String name = module.getFileName().toString();
      List<Path> sources;
      try (Stream<Path> files = Files.walk(module.resolve("src/main/java"))) {
        sources = files.filter(f -> f.toString().endsWith(".java")).toList();
      }
      for (Path source : sources) {
        Matcher m = IMPORT.matcher(Files.readString(source));
        while (m.find()) {
          imports++;
          String type = m.group(1);
          String pkg = type.substring(0, type.lastIndexOf('.'));
          String owner = packageOwner.getOrDefault(pkg, packageOwner.get(pkg.substring(0, pkg.lastIndexOf('.'))));
          if (owner != null && !owner.equals(name) && pkg.matches(".*\\.internal(\\..*)?")) {
            violations.add(name + ": " + root.relativize(source) + " imports " + type);
          }
        }
      }
    }
    assertTrue(modules.size() >= 6 && imports > 100, "the scan saw the reactor: " + modules.size() + " modules, "
        + imports + " imports");
    assertEquals(List.of(), violations);
  }
}
