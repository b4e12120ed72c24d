package dev.envelope.dynamodb.emulator;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * JUnit 5: {@code @ExtendWith(DynamoDbEmulatorExtension.class)}, then take a {@link DynamoDbEmulator} or a
 * {@link DynamoDbClient} parameter. Each test gets a fresh, empty emulator (both parameters of one test share it),
 * closed when the test ends.
 */
public final class DynamoDbEmulatorExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(DynamoDbEmulatorExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == DynamoDbEmulator.class || type == DynamoDbClient.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    DynamoDbEmulator emulator = context.getStore(NAMESPACE).getOrComputeIfAbsent("emulator",
        key -> DynamoDbEmulator.create(), DynamoDbEmulator.class);
    return parameter.getParameter().getType() == DynamoDbEmulator.class ? emulator : emulator.client();
  }
}
