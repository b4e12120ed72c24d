package dev.envelope.cli;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code --encryption-context} arguments, read as the AWS Encryption SDK CLI reads them: {@code name=value}
 * pairs, and on decrypt also names alone, which the message's context must have whatever their value. Checked
 * before any file is touched, so a mistyped context is a usage error (exit 2) rather than a failure per file.
 */
record ContextArguments(Map<String, String> pairs, Set<String> names) {
  /** The prefix the ESDK keeps for the pairs it adds itself ({@code aws-crypto-public-key}). */
  private static final String RESERVED_PREFIX = "aws-crypto-";

  ContextArguments {
    pairs = Map.copyOf(pairs);
    names = Set.copyOf(names);
  }

  /** Pairs to bind on encrypt: every argument {@code name=value}, none reserved. */
  static ContextArguments forEncrypt(List<String> arguments) {
    ContextArguments parsed = parse(arguments, false);
    parsed.pairs.keySet().stream().filter(name -> name.startsWith(RESERVED_PREFIX)).findFirst().ifPresent(name -> {
      throw new UsageException("--encryption-context name '" + name + "' uses the prefix '" + RESERVED_PREFIX
          + "', which the AWS Encryption SDK keeps for its own pairs");
    });
    return parsed;
  }

  /** What a message must have on decrypt: pairs, and names alone. */
  static ContextArguments forDecrypt(List<String> arguments) {
    return parse(arguments, true);
  }

  private static ContextArguments parse(List<String> arguments, boolean namesAllowed) {
    Map<String, String> pairs = new LinkedHashMap<>();
    Set<String> names = new LinkedHashSet<>();
    for (String argument : arguments) {
      int eq = argument.indexOf('=');
      String name = eq < 0 ? argument : argument.substring(0, eq);
      if (name.isEmpty()) {
        throw new UsageException("--encryption-context takes name=value pairs, not '" + argument + "': no name");
      }
      if (pairs.containsKey(name) || names.contains(name)) {
        throw new UsageException("--encryption-context names '" + name + "' twice");
      }
      if (eq < 0) {
        if (!namesAllowed) {
          throw new UsageException("--encryption-context takes name=value pairs on encrypt, not '" + argument
              + "' (a name alone is for decrypt: the message must have it)");
        }
        names.add(name);
      } else if (eq == argument.length() - 1) {
        throw new UsageException("--encryption-context name '" + name + "' has an empty value: the AWS Encryption "
            + "SDK refuses empty names and values, so no message has one");
      } else {
        pairs.put(name, argument.substring(eq + 1));
      }
    }
    return new ContextArguments(pairs, names);
  }
}
