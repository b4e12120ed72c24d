package dev.envelope.s3.internal;

import dev.envelope.core.spi.ChunkInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * A blocking stream over a publisher of bytes (an async request or response body), with back-pressure: at most
 * {@value #PREFETCH} buffers are requested ahead of the reader (more are asked for as it takes them, half that many
 * at a time), so a few buffers are held whatever the body's size and however slow the reader. Reads block the
 * reading thread, never the publisher's.
 *
 * <p>A reader that finds nothing to read is woken when half the prefetch has arrived (or the body ended, failed,
 * or every buffer asked for came), not at every buffer: the reader consumes whole frames anyway, and each wake-up
 * is a thread hand-off that costs both threads CPU.
 *
 * <p>{@link #close()} and {@link #abort()} may be called from any thread: they cancel the subscription (the SDK
 * then releases the connection) and wake a reader blocked in {@code read}, which fails with an
 * {@link IOException}. One reader at a time.
 */
public final class PublisherInputStream extends ChunkInputStream {
  /** Buffers requested ahead of the reader: the SDK's are 8-64 KiB, so at most half a megabyte or so. */
  static final int PREFETCH = 8;

  private static final int WAKE_AT = PREFETCH / 2;
  private static final Object END = new Object();
  private static final Object CANCELLED = new Object();

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition ready = lock.newCondition();
  private final ArrayDeque<Object> signals = new ArrayDeque<>(); // guarded by lock
  private Subscription subscription; // guarded by lock: Subscription calls must be serial (rule 2.7)
  private boolean cancelled; // guarded by lock
  private boolean waiting; // guarded by lock
  private long requested; // guarded by lock
  private long delivered; // guarded by lock
  private ByteBuffer current;
  private boolean ended;
  private int takenSinceRequest;

  /** Subscribes to {@code publisher} now; its bytes are read from this stream. */
  public PublisherInputStream(Publisher<ByteBuffer> publisher) {
    publisher.subscribe(new Subscriber<ByteBuffer>() {
      @Override
      public void onSubscribe(Subscription s) {
        lock.lock();
        try {
          if (subscription != null || cancelled) {
            s.cancel();
            return;
          }
          subscription = s;
          requested = PREFETCH;
          s.request(PREFETCH);
        } finally {
          lock.unlock();
        }
      }

      @Override
      public void onNext(ByteBuffer buffer) {
        lock.lock();
        try {
          signals.add(buffer);
          delivered++;
          if (waiting && (signals.size() >= WAKE_AT || delivered == requested)) {
            ready.signal();
          }
        } finally {
          lock.unlock();
        }
      }

      @Override
      public void onError(Throwable t) {
        terminal(new Failure(t));
      }

      @Override
      public void onComplete() {
        terminal(END);
      }
    });
  }

  private record Failure(Throwable cause) {}

  private void terminal(Object signal) {
    lock.lock();
    try {
      signals.add(signal);
      ready.signal();
    } finally {
      lock.unlock();
    }
  }

  @Override
  protected int readChunk(byte[] b, int off, int len) throws IOException {
    while (current == null || !current.hasRemaining()) {
      if (ended) {
        return -1;
      }
      Object signal = take();
      if (signal == END) {
        ended = true;
        return -1;
      }
      if (signal == CANCELLED) {
        throw new IOException("Stream closed: the body's subscription was cancelled");
      }
      if (signal instanceof Failure f) {
        throw f.cause() instanceof IOException io ? io : new IOException("Body failed: " + f.cause(), f.cause());
      }
      current = (ByteBuffer) signal;
      if (++takenSinceRequest == PREFETCH / 2) {
        takenSinceRequest = 0;
        request(PREFETCH / 2);
      }
    }
    int n = Math.min(len, current.remaining());
    current.get(b, off, n);
    return n;
  }

  /** The next signal; a terminal one (end, failure, cancellation) stays for every later read. */
  private Object take() throws IOException {
    lock.lock();
    try {
      while (signals.isEmpty()) {
        waiting = true;
        try {
          ready.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          lock.unlock();
          try {
            abort();
          } finally {
            lock.lock();
          }
          throw new InterruptedIOException("Interrupted while waiting for the body");
        } finally {
          waiting = false;
        }
      }
      Object signal = signals.peek();
      if (signal instanceof ByteBuffer || signal == END) {
        signals.poll();
      }
      return signal;
    } finally {
      lock.unlock();
    }
  }

  private void request(int n) {
    lock.lock();
    try {
      if (!cancelled && subscription != null) {
        requested += n;
        subscription.request(n);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Cancels the subscription and fails any read in progress or to come. Thread-safe; idempotent. */
  public void abort() {
    lock.lock();
    try {
      if (cancelled) {
        return;
      }
      cancelled = true;
      if (subscription != null) {
        subscription.cancel();
      }
      signals.addFirst(CANCELLED); // before buffers not yet read: a cancelled stream yields nothing more
      ready.signal();
    } finally {
      lock.unlock();
    }
  }

  /** Stops reading: a body not read to its end is cancelled, which releases its connection. */
  @Override
  public void close() {
    if (!ended) {
      abort();
    }
  }
}
