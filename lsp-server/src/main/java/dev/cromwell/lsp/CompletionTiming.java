package dev.cromwell.lsp;

import java.util.Locale;

/**
 * Where one completion's time went, from the keystroke's request to its answer, written as one line
 * to stderr when the server runs with {@code -Dcromwell.timing=true} (for example {@code
 * CROMWELL_JVM_OPTS=-Dcromwell.timing=true bin/cromwell lsp}). The stamps are {@link
 * System#nanoTime()}; each phase is the time between two of them.
 *
 * @param arrived the request came (the debounce starts)
 * @param fired the debounce ended and the request was still the newest
 * @param started its virtual thread began (the lane)
 * @param planned the index's plan was made
 * @param assembled the prompt was rendered
 * @param checked the uncached part of the prompt was counted (tokenizes the prompt)
 * @param generated the completer answered (tokenizing, waiting for the model thread, prefill,
 *     decoding: {@link Completer.Costs})
 * @param processed post-processing ended: the answer goes out
 * @param near whether the prompt was the lines around the cursor instead of the whole plan
 */
record CompletionTiming(
    long arrived,
    long fired,
    long started,
    long planned,
    long assembled,
    long checked,
    long generated,
    long processed,
    boolean near,
    Completer.Output output) {

  static final boolean ENABLED = Boolean.getBoolean("cromwell.timing");

  /** The log line (times in ms). */
  String line() {
    Completer.Costs c = output.costs();
    long model = generated - checked;
    long rest = model - c.encodeNanos() - c.queuedNanos() - c.promptNanos() - c.decodeNanos();
    return String.format(
        Locale.ROOT,
        "cromwell timing: total %.1f ms = debounce %.1f + lane %.1f + plan %.1f + assemble %.1f"
            + " + count %.1f + [encode %.1f + queue %.1f + prefill %.1f (%d computed, %d reused)"
            + " + decode %.1f (%d tokens) + other %.1f] + post %.1f; %s%s",
        ms(processed - arrived),
        ms(fired - arrived),
        ms(started - fired),
        ms(planned - started),
        ms(assembled - planned),
        ms(checked - assembled),
        ms(c.encodeNanos()),
        ms(c.queuedNanos()),
        ms(c.promptNanos()),
        output.computedTokens(),
        output.reusedTokens(),
        ms(c.decodeNanos()),
        output.generatedTokens(),
        ms(rest),
        ms(processed - generated),
        output.stopReason(),
        near ? ", near prompt" : "");
  }

  void log() {
    if (ENABLED) {
      System.err.println(line());
    }
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }
}
