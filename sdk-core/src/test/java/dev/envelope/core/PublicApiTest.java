package dev.envelope.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The classpath does not enforce module exports, so this guards the promise by reflection: no public or protected
 * member of a public class outside {@code internal} mentions an {@code internal} type.
 */
class PublicApiTest {
  @Test
  void publicSignaturesNeverMentionInternalTypes() throws IOException, URISyntaxException, ClassNotFoundException {
    Path classes = Path.of(Envelope.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> leaks = new ArrayList<>();
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        String name = classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
        if (name.contains(".internal.")) {
          continue;
        }
        Class<?> type = Class.forName(name, false, getClass().getClassLoader());
        if (!Modifier.isPublic(type.getModifiers())) {
          continue;
        }
        List<Executable> members = new ArrayList<>(List.of(type.getDeclaredMethods()));
        members.addAll(List.of(type.getDeclaredConstructors()));
        for (Executable m : members) {
          if (!Modifier.isPublic(m.getModifiers()) && !Modifier.isProtected(m.getModifiers())) {
            continue;
          }
          List<Type> types = new ArrayList<>(List.of(m.getGenericParameterTypes()));
          if (m instanceof Method method) {
            types.add(method.getGenericReturnType());
          }
          for (Type t : types) {
            if (t.getTypeName().contains(".internal.")) {
              leaks.add(name + "#" + (m instanceof Constructor ? "<init>" : m.getName()) + ": " + t.getTypeName());
            }
          }
        }
      }
    }
    assertEquals(List.of(), leaks);
  }
}
