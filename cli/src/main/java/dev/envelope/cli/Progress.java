package dev.envelope.cli;

/**
 * A progress line on stderr (count, rate, ETA), redrawn at most four times a second, and only when a terminal
 * watches: piped or redirected output gets no progress noise. Thread-safe.
 */
final class Progress {
  private final Io io;
  private final String label;
  private final long total;
  private final String unit;
  private final long startNanos = System.nanoTime();
  private long count;
  private long lastDrawNanos;
  private boolean drawn;

  Progress(Io io, String label, long total, String unit) {
    this.io = io;
    this.label = label;
    this.total = total;
    this.unit = unit;
  }

  synchronized void advance(long n) {
    count += n;
    long now = System.nanoTime();
    if (io.terminal() && now - lastDrawNanos > 250_000_000L) {
      lastDrawNanos = now;
      double seconds = (now - startNanos) / 1e9;
      double rate = count / Math.max(seconds, 1e-3);
      String eta = total > 0 && rate > 0 ? String.format(" ETA %ds", (long) ((total - count) / rate)) : "";
      io.err().printf("\r%s: %d%s %s  %.1f/s%s   ", label, count, total > 0 ? "/" + total : "", unit, rate, eta);
      drawn = true;
    }
  }

  synchronized void finish() {
    if (drawn) {
      io.err().print("\r" + " ".repeat(72) + "\r");
    }
  }

  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    int exp = (int) (Math.log(n) / Math.log(1024));
    return String.format("%.1f %siB", n / Math.pow(1024, exp), "KMGTPE".charAt(exp - 1));
  }
}
