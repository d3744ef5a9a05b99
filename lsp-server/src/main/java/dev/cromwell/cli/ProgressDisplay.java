package dev.cromwell.cli;

import dev.cromwell.engine.store.PullListener;
import java.io.PrintWriter;

/**
 * Shows a pull's progress: a bar redrawn in place (bytes, rate, ETA) on a terminal, and a plain
 * line every tenth of the way otherwise, so logs stay readable.
 */
final class ProgressDisplay implements PullListener {
  private static final int WIDTH = 28;
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintWriter err;
  private final boolean terminal;
  private final long startNanos = System.nanoTime();
  private long firstDone = -1;
  private long lastDraw;
  private int lastTenth = -1;
  private boolean barShown;

  ProgressDisplay(PrintWriter err, boolean terminal) {
    this.err = err;
    this.terminal = terminal;
  }

  /** Whether standard error goes to a terminal (where a redrawn bar makes sense). */
  static boolean stderrIsTerminal() {
    java.io.Console console = System.console();
    return console != null && console.isTerminal();
  }

  @Override
  public synchronized void line(String message) {
    if (barShown) {
      err.println();
      barShown = false;
    }
    err.println(message);
    err.flush();
  }

  @Override
  public synchronized void bytes(long done, long total) {
    long now = System.nanoTime();
    if (firstDone < 0) {
      firstDone = done; // bytes kept from an earlier, interrupted pull do not count for the rate
    }
    if (terminal) {
      if (now - lastDraw >= REDRAW_NANOS || done >= total) {
        lastDraw = now;
        err.print("\r" + describe(done, total, now) + "\u001b[K");
        err.flush();
        barShown = true;
      }
      return;
    }
    int tenth = total > 0 ? (int) Math.min(10, done * 10 / total) : 0;
    if (tenth != lastTenth) {
      lastTenth = tenth;
      err.println(describe(done, total, now));
      err.flush();
    }
  }

  /** Ends the bar's line, if one is shown. */
  synchronized void finish() {
    if (barShown) {
      err.println();
      err.flush();
      barShown = false;
    }
  }

  private String describe(long done, long total, long now) {
    double seconds = Math.max(1e-3, (now - startNanos) / 1e9);
    double rate = (done - firstDone) / seconds;
    int percent = total > 0 ? (int) (done * 100 / total) : 0;
    StringBuilder s = new StringBuilder();
    if (terminal) {
      int filled = total > 0 ? (int) (done * WIDTH / total) : 0;
      s.append('[').append("#".repeat(filled)).append("-".repeat(WIDTH - filled)).append("] ");
    }
    s.append(String.format("%3d%%  %s / %s", percent, mib(done), mib(total)));
    s.append(String.format("  %s/s", mib((long) rate)));
    if (rate > 0 && done < total) {
      long eta = (long) ((total - done) / rate);
      s.append(String.format("  ETA %d:%02d", eta / 60, eta % 60));
    }
    return s.toString();
  }

  private static String mib(long bytes) {
    return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
  }
}
