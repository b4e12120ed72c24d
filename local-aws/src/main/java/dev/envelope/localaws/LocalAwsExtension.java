package dev.envelope.localaws;

import java.util.Objects;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5: one {@link LocalAws} per test class, on a free port, injected into test and lifecycle methods that take
 * a {@code LocalAws} parameter.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final LocalAwsExtension AWS = LocalAwsExtension.create();
 *
 * @Test
 * void encryptsBeforeUpload() {
 *   S3Client s3 = AWS.get().configure(S3Client.builder()).forcePathStyle(true).build();
 * }
 * }</pre>
 *
 * Or declaratively, {@code @ExtendWith(LocalAwsExtension.class)} with a {@code LocalAws} parameter.
 */
public final class LocalAwsExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
  private final Consumer<LocalAws.Builder> customizer;
  private LocalAws aws;

  /** For {@code @ExtendWith}: the defaults on a free port. */
  public LocalAwsExtension() {
    this(b -> { });
  }

  private LocalAwsExtension(Consumer<LocalAws.Builder> customizer) {
    this.customizer = customizer;
  }

  /** The defaults (open mode, memory only) on a free port. */
  public static LocalAwsExtension create() {
    return new LocalAwsExtension(b -> { });
  }

  /**
   * With {@code customizer} applied to the builder (a configuration, a data directory); the port is free unless it
   * sets one.
   */
  public static LocalAwsExtension create(Consumer<LocalAws.Builder> customizer) {
    return new LocalAwsExtension(Objects.requireNonNull(customizer, "customizer"));
  }

  /** The running endpoint (between beforeAll and afterAll). */
  public LocalAws get() {
    if (aws == null) {
      throw new IllegalStateException("local-aws runs from beforeAll to afterAll of the test class");
    }
    return aws;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    LocalAws.Builder builder = LocalAws.builder().port(0);
    customizer.accept(builder);
    aws = builder.build();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (aws != null) {
      aws.close();
      aws = null;
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == LocalAws.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return get();
  }
}
