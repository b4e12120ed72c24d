package dev.envelope.kms;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Objects;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * A fresh KMS emulator for every test, closed after it. Test methods and lifecycle methods may declare parameters of
 * type {@link KmsEmulator}, {@link KmsClient} (the default account's administrator, in process) and, with
 * {@link #withHttpServer()}, {@link URI} (the HTTP endpoint for code that builds its own client).
 *
 * <pre>{@code
 * @ExtendWith(KmsEmulatorExtension.class)
 * class OrderServiceTest {
 *   @Test void encrypts(KmsClient kms) { ... }
 * }
 *
 * class PolicyTest {
 *   @RegisterExtension
 *   final KmsEmulatorExtension kms = KmsEmulatorExtension.configured(b -> b.enforceAuthorization(true))
 *       .withHttpServer();
 *   @Test void denied() { kms.client(Principal.role("000000000000", "app")) ... }
 * }
 * }</pre>
 *
 * <p>Fresh per test whether registered statically or not, so tests cannot see each other's keys. Thread-safe as
 * far as JUnit's parallel execution goes: each test's emulator lives in that test's extension store.
 */
public final class KmsEmulatorExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(KmsEmulatorExtension.class);

  private final Consumer<KmsEmulator.Builder> configuration;
  private final boolean httpServer;
  private final ThreadLocal<Running> current = new InheritableThreadLocal<>();

  private record Running(KmsEmulator emulator, URI endpoint) {}

  /** The defaults: account 000000000000, us-east-1, every caller an administrator, memory only, no HTTP. */
  public KmsEmulatorExtension() {
    this(b -> { }, false);
  }

  private KmsEmulatorExtension(Consumer<KmsEmulator.Builder> configuration, boolean httpServer) {
    this.configuration = configuration;
    this.httpServer = httpServer;
  }

  /** An extension whose emulators are built with {@code configuration} applied to the builder. */
  public static KmsEmulatorExtension configured(Consumer<KmsEmulator.Builder> configuration) {
    return new KmsEmulatorExtension(Objects.requireNonNull(configuration, "configuration"), false);
  }

  /** Also starts an HTTP server on a free port for every test. */
  public KmsEmulatorExtension withHttpServer() {
    return new KmsEmulatorExtension(configuration, true);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    running(context);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    current.remove();
    // The store closes the emulator (a CloseableResource) when the test's context ends.
  }

  /** This test's emulator. */
  public KmsEmulator emulator() {
    return requireRunning().emulator();
  }

  /** The default account's administrator, in process. */
  public KmsClient client() {
    return emulator().client();
  }

  /** A client acting as {@code principal}, in process. */
  public KmsClient client(Principal principal) {
    return emulator().client(principal);
  }

  /** This test's HTTP endpoint; needs {@link #withHttpServer()}. */
  public URI endpoint() {
    URI endpoint = requireRunning().endpoint();
    if (endpoint == null) {
      throw new IllegalStateException("no HTTP server: register KmsEmulatorExtension...withHttpServer()");
    }
    return endpoint;
  }

  private Running requireRunning() {
    Running running = current.get();
    if (running == null) {
      throw new IllegalStateException("no emulator outside a test: use it from @BeforeEach, a test or @AfterEach");
    }
    return running;
  }

  private Running running(ExtensionContext context) {
    Holder holder = context.getStore(NAMESPACE).getOrComputeIfAbsent(Holder.class, k -> new Holder(start()),
        Holder.class);
    current.set(holder.running);
    return holder.running;
  }

  private Running start() {
    KmsEmulator.Builder builder = KmsEmulator.builder();
    configuration.accept(builder);
    KmsEmulator emulator = builder.build();
    URI endpoint = null;
    if (httpServer) {
      try {
        endpoint = emulator.startHttpServer(0).endpoint();
      } catch (IOException e) {
        emulator.close();
        throw new UncheckedIOException("cannot start the emulator's HTTP server", e);
      }
    }
    return new Running(emulator, endpoint);
  }

  /** Closes the emulator when JUnit discards the test's store. */
  private static final class Holder implements AutoCloseable {
    final Running running;

    Holder(Running running) {
      this.running = running;
    }

    @Override
    public void close() {
      running.emulator().close();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == KmsEmulator.class || type == KmsClient.class || type == URI.class && httpServer;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Running running = running(context);
    Class<?> type = parameter.getParameter().getType();
    if (type == KmsEmulator.class) {
      return running.emulator();
    }
    if (type == KmsClient.class) {
      return running.emulator().client();
    }
    return running.endpoint();
  }
}
