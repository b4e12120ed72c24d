package dev.envelope.s3.internal;

import dev.envelope.core.spi.ChunkInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * A blocking stream over a publisher of bytes (an async request or response body), with back-pressure: at most
 * {@value #PREFETCH} buffers are requested ahead of the reader (more are asked for as it takes them, half that many
 * at a time), so a few buffers are held whatever the body's size and however slow the reader, while the publisher
 * need not wait for a thread hand-off per buffer. Reads block the reading thread, never the publisher's.
 *
 * <p>{@link #close()} and {@link #abort()} may be called from any thread: they cancel the subscription (the SDK
 * then releases the connection) and wake a reader blocked in {@code read}, which fails with an
 * {@link IOException}. One reader at a time.
 */
public final class PublisherInputStream extends ChunkInputStream {
  /** Buffers requested ahead of the reader: the SDK's are 8-64 KiB, so at most half a megabyte or so. */
  static final int PREFETCH = 8;

  private static final Object END = new Object();
  private static final Object CANCELLED = new Object();

  private final BlockingQueue<Object> signals = new LinkedBlockingQueue<>();
  private final Object subscriptionLock = new Object(); // Subscription calls must be serial (rule 2.7)
  private Subscription subscription;
  private boolean cancelled;
  private ByteBuffer current;
  private boolean ended;
  private int takenSinceRequest;

  /** Subscribes to {@code publisher} now; its bytes are read from this stream. */
  public PublisherInputStream(Publisher<ByteBuffer> publisher) {
    publisher.subscribe(new Subscriber<ByteBuffer>() {
      @Override
      public void onSubscribe(Subscription s) {
        synchronized (subscriptionLock) {
          if (subscription != null || cancelled) {
            s.cancel();
            return;
          }
          subscription = s;
          s.request(PREFETCH);
        }
      }

      @Override
      public void onNext(ByteBuffer buffer) {
        signals.add(buffer);
      }

      @Override
      public void onError(Throwable t) {
        signals.add(new Failure(t));
      }

      @Override
      public void onComplete() {
        signals.add(END);
      }
    });
  }

  private record Failure(Throwable cause) {}

  @Override
  protected int readChunk(byte[] b, int off, int len) throws IOException {
    while (current == null || !current.hasRemaining()) {
      if (ended) {
        return -1;
      }
      Object signal;
      try {
        signal = signals.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        abort();
        throw new InterruptedIOException("Interrupted while waiting for the body");
      }
      if (signal == END) {
        ended = true;
        return -1;
      }
      if (signal == CANCELLED) {
        signals.add(CANCELLED); // every later read fails the same way
        throw new IOException("Stream closed: the body's subscription was cancelled");
      }
      if (signal instanceof Failure f) {
        signals.add(f);
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

  private void request(int n) {
    synchronized (subscriptionLock) {
      if (!cancelled && subscription != null) {
        subscription.request(n);
      }
    }
  }

  /** Cancels the subscription and fails any read in progress or to come. Thread-safe; idempotent. */
  public void abort() {
    synchronized (subscriptionLock) {
      if (cancelled) {
        return;
      }
      cancelled = true;
      if (subscription != null) {
        subscription.cancel();
      }
    }
    signals.add(CANCELLED);
  }

  /** Stops reading: a body not read to its end is cancelled, which releases its connection. */
  @Override
  public void close() {
    if (!ended) {
      abort();
    }
  }
}
