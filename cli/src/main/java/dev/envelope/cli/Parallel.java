package dev.envelope.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Runs one task per item, {@code parallelism} at a time, on daemon threads; each task handles its own failure. */
final class Parallel {
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
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (T item : items) {
        futures.add(pool.submit(() -> {
          task.run(item);
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
    }
  }
}
