package dev.envelope.s3;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import software.amazon.awssdk.http.Abortable;

/**
 * The responses one call of {@link EncryptingS3AsyncClient} has open through {@link AsyncBackedS3Client}, so
 * that a caller who cancels gets every connection released at once, even one a blocked read is waiting on. The
 * call's work runs with its {@code InFlight} as the thread's current one ({@link #executor}).
 */
final class InFlight {
  private static final ThreadLocal<InFlight> CURRENT = new ThreadLocal<>();

  private final Set<Abortable> open = ConcurrentHashMap.newKeySet();
  private volatile boolean aborted;

  /** Registers a response of the current call, if any; aborted at once if the call already was. */
  static void register(Abortable response) {
    InFlight current = CURRENT.get();
    if (current != null) {
      current.open.add(response);
      if (current.aborted) {
        response.abort();
      }
    }
  }

  static void unregister(Abortable response) {
    InFlight current = CURRENT.get();
    if (current != null) {
      current.open.remove(response);
    }
  }

  /** Runs each task on {@code executor} with this call as the current one. */
  Executor executor(Executor executor) {
    return task -> executor.execute(() -> {
      InFlight previous = CURRENT.get();
      CURRENT.set(this);
      try {
        task.run();
      } finally {
        CURRENT.set(previous);
      }
    });
  }

  /** Aborts every response open now or opened later by this call. Thread-safe. */
  void abort() {
    aborted = true;
    for (Abortable response : open) {
      response.abort();
    }
  }
}
