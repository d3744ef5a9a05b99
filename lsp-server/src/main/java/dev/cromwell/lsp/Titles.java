package dev.cromwell.lsp;

/** Titles shown to the user name Cromwell once, however many layers add the prefix. */
final class Titles {
  static final String PREFIX = "Cromwell: ";

  private Titles() {}

  /** {@code text} with exactly one leading "Cromwell: ". */
  static String cromwell(String text) {
    String t = text == null ? "" : text.strip();
    while (t.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
      t = t.substring(PREFIX.length()).stripLeading();
    }
    return PREFIX + t;
  }
}
