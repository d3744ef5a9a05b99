package dev.cromwell.engine.store;

/** What a pull reports while it runs: plain lines, and bytes transferred out of a total. */
public interface PullListener {
  /** A step worth a line of its own ("resolving 6 wheels on https://pypi.org/simple/"). */
  void line(String message);

  /** Bytes transferred so far of {@code total} (the sum of everything this pull downloads). */
  void bytes(long done, long total);

  /** A listener that ignores everything. */
  static PullListener silent() {
    return new PullListener() {
      @Override
      public void line(String message) {}

      @Override
      public void bytes(long done, long total) {}
    };
  }
}
