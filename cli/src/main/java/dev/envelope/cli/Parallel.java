package dev.envelope.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one task per item, {@code parallelism} at a time, on daemon threads; each task handles its own failure.
 *
 * <p>Stopped by a signal (Ctrl-C, SIGTERM), a run ends its items in flight instead of cutting them off: an object
 * cut off in the middle of its re-key would leave an incomplete multipart upload behind (billed as storage until a
 * lifecycle rule aborts it), a file its temporary output. No item starts after the signal; those in flight get up to
 * {@link #GRACE} to finish, and their outcome goes to the report and checkpoint as usual.
 */
final class Parallel {
  static final Duration GRACE = Duration.ofSeconds(60);

  interface Task<T> {
    void run(T item) throws Exception;
  }

  private Parallel() {}

  static <T> void each(List<T> items, int parallelism, String name, Task<T> task) throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, parallelism), r -> {
      Thread t = new Thread(r, "envelope-" + name);
      t.setDaemon(true);
      return t;
    });
    AtomicBoolean stopping = new AtomicBoolean();
    AtomicInteger inFlight = new AtomicInteger();
    Thread stop = new Thread(() -> finishInFlight(pool, stopping, inFlight, name), "envelope-stop-" + name);
    Runtime.getRuntime().addShutdownHook(stop);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (T item : items) {
        futures.add(pool.submit(() -> {
          if (stopping.get()) {
            return null; // not started, so not in the checkpoint: the next run does it
          }
          inFlight.incrementAndGet();
          try {
            task.run(item);
          } finally {
            inFlight.decrementAndGet();
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException("a task failed outside its own handling: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
      try {
        Runtime.getRuntime().removeShutdownHook(stop);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: it waits for the items in flight
      }
    }
  }

  /** The shutdown hook: the JVM halts when it returns, so it returns once the items in flight have ended. */
  private static void finishInFlight(ExecutorService pool, AtomicBoolean stopping, AtomicInteger inFlight,
      String name) {
    stopping.set(true);
    pool.shutdown();
    // The process's own standard error: a hook runs only in a process of its own, never in a captured run.
    System.err.printf("%nenvelope %s: stopping: no new item starts; waiting up to %d s for the %d in flight to "
        + "finish (their outcome goes to the report and checkpoint)%n", name, GRACE.toSeconds(), inFlight.get());
    try {
      if (!pool.awaitTermination(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        System.err.printf("envelope %s: %d items still in flight after %d s are cut off; an object among them may "
            + "leave an incomplete multipart upload (aws s3api list-multipart-uploads; a lifecycle rule with "
            + "AbortIncompleteMultipartUpload removes them)%n", name, inFlight.get(), GRACE.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
