package dev.envelope.localaws.internal;

import java.util.List;

/**
 * LocalStack's own endpoints that suites and their tooling poll for readiness: {@code /_localstack/health},
 * {@code /_localstack/init} (and {@code /init/<stage>}) and {@code /_localstack/info}. Every service is running by
 * the time the port answers, so they always say ready.
 */
public final class LocalStackEndpoints {
  private static final List<String> SERVICES = List.of("dynamodb", "kms", "s3", "sts");

  private final String version;

  public LocalStackEndpoints(String version) {
    this.version = version;
  }

  public Reply.Answer answer(String method, String path) {
    if (!method.equals("GET") && !method.equals("HEAD")) {
      return ErrorShapes.restJson(405, "MethodNotAllowed", method + " " + path + " is not supported");
    }
    String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return switch (trimmed) {
      case "/_localstack/health" -> {
        StringBuilder services = new StringBuilder();
        for (String s : SERVICES) {
          services.append(services.length() == 0 ? "" : ", ").append('"').append(s).append("\": \"running\"");
        }
        yield Reply.Answer.of(200, "application/json", "{\"services\": {" + services + "}, \"edition\": "
            + "\"community\", \"version\": \"" + version + "\"}");
      }
      case "/_localstack/init" -> Reply.Answer.of(200, "application/json", "{\"completed\": {\"BOOT\": true, "
          + "\"START\": true, \"READY\": true, \"SHUTDOWN\": false}, \"scripts\": []}");
      case "/_localstack/init/boot", "/_localstack/init/start", "/_localstack/init/ready" ->
          Reply.Answer.of(200, "application/json", "{\"completed\": true, \"scripts\": []}");
      case "/_localstack/info" -> Reply.Answer.of(200, "application/json", "{\"version\": \"" + version
          + "\", \"edition\": \"community\", \"is_license_activated\": false, \"system\": \"envelope-local-aws\"}");
      default -> ErrorShapes.restJson(404, "NotFound", path + " is not one of LocalStack's endpoints that "
          + "Envelope local-aws answers (/_localstack/health, /_localstack/init, /_localstack/info)");
    };
  }
}
