package dev.envelope.s3.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Publishes what a blocking stream reads, read on {@code executor} and only as fast as the subscriber asks: a
 * chunk is read for each unit of demand, so a slow subscriber holds up the reads instead of making them buffer.
 * Each subscription opens its own stream ({@link StreamOpener}), so a body can be sent again (an SDK retry).
 *
 * <p>Cancelling calls {@code onCancel} at once, from the cancelling thread (to abort what a blocked read waits
 * for), then closes the stream on the executor. The stream is closed when it ends, fails or is cancelled.
 */
public final class InputStreamPublisher implements Publisher<ByteBuffer> {
  /** Opens the stream of one subscription. */
  @FunctionalInterface
  public interface StreamOpener {
    InputStream open() throws IOException;
  }

  private static final int CHUNK = 64 * 1024;

  private final StreamOpener opener;
  private final Executor executor;
  private final Runnable onCancel;

  public InputStreamPublisher(StreamOpener opener, Executor executor, Runnable onCancel) {
    this.opener = Objects.requireNonNull(opener, "opener");
    this.executor = Objects.requireNonNull(executor, "executor");
    this.onCancel = Objects.requireNonNull(onCancel, "onCancel");
  }

  @Override
  public void subscribe(Subscriber<? super ByteBuffer> subscriber) {
    Objects.requireNonNull(subscriber, "subscriber");
    Emitter emitter = new Emitter(subscriber);
    subscriber.onSubscribe(emitter);
  }

  /** One subscription: a drain loop on the executor, scheduled whenever demand arrives and none is running. */
  private final class Emitter implements Subscription {
    private final Subscriber<? super ByteBuffer> subscriber;
    private final AtomicLong demand = new AtomicLong();
    private final AtomicInteger wip = new AtomicInteger(); // drain passes owed; the loop runs while it is above 0
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private volatile boolean terminated;
    private InputStream in; // touched only by the drain loop, which never runs twice at once

    Emitter(Subscriber<? super ByteBuffer> subscriber) {
      this.subscriber = subscriber;
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        cancelled.set(true);
        schedule(new IllegalArgumentException("Reactive Streams rule 3.9: request(" + n + ") must be positive"));
        return;
      }
      demand.getAndUpdate(d -> d + n < 0 ? Long.MAX_VALUE : d + n);
      schedule(null);
    }

    @Override
    public void cancel() {
      if (cancelled.compareAndSet(false, true)) {
        onCancel.run();
        schedule(null);
      }
    }

    private void schedule(Throwable invalidRequest) {
      if (wip.getAndIncrement() == 0) {
        executor.execute(() -> drain(invalidRequest));
      }
    }

    private void drain(Throwable invalidRequest) {
      int missed = 1;
      do {
        if (!terminated) {
          emitWhileDemanded(invalidRequest);
        }
        missed = wip.addAndGet(-missed);
      } while (missed != 0);
    }

    private void emitWhileDemanded(Throwable invalidRequest) {
      try {
        if (invalidRequest != null) {
          fail(invalidRequest);
          return;
        }
        if (cancelled.get()) {
          terminate();
          return;
        }
        if (in == null) {
          in = opener.open();
        }
        while (demand.get() > 0 && !cancelled.get()) {
          byte[] chunk = new byte[CHUNK];
          int n = in.readNBytes(chunk, 0, CHUNK);
          if (n > 0) {
            demand.decrementAndGet();
            subscriber.onNext(ByteBuffer.wrap(chunk, 0, n).asReadOnlyBuffer());
          }
          if (n < CHUNK) {
            terminate();
            if (!cancelled.get()) {
              subscriber.onComplete();
            }
            return;
          }
        }
        if (cancelled.get()) {
          terminate();
        }
      } catch (IOException | RuntimeException e) {
        if (cancelled.get()) {
          terminate(); // the read failed because it was cancelled: nothing more is signalled
        } else {
          fail(e);
        }
      }
    }

    private void fail(Throwable t) {
      terminate();
      subscriber.onError(t);
    }

    private void terminate() {
      terminated = true;
      if (in != null) {
        try {
          in.close();
        } catch (IOException | RuntimeException ignored) {
          // ending anyway
        }
      }
    }
  }
}
