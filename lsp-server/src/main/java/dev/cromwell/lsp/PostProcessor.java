package dev.cromwell.lsp;

import java.util.Optional;

/**
 * Turns raw model output into a suggestion an editor can show: trims what repeats the text after
 * the cursor, swallows auto-closed brackets through a replacing range, keeps the document's
 * indentation style, and drops empty or repetitive suggestions.
 */
public final class PostProcessor {
  private PostProcessor() {}

  public static Optional<Suggestion> process(String raw, CompletionContext c) {
    String text = raw;
    if (!c.multiLine()) {
      int newline = text.indexOf('\n');
      if (newline >= 0) {
        text = text.substring(0, newline);
      }
    }
    text = stripTrailingBlankLines(text);
    text = fixIndentation(text, c.indentUnit());
    if (text.isBlank()) {
      return Optional.empty();
    }
    int replace = 0;
    String rest = c.lineSuffix();
    if (CompletionContext.onlyClosers(rest)) {
      // e.g. "foo(|)" and the model wrote "a, b)": replace the editor's ")" with the model's.
      String closers = rest.strip();
      String firstLine = text.contains("\n") ? text.substring(0, text.indexOf('\n')) : text;
      if (firstLine.stripTrailing().endsWith(closers) && !text.contains("\n")) {
        replace = rest.stripTrailing().length();
        text = firstLine.stripTrailing();
      }
    } else {
      text = trimOverlap(text, c.after());
    }
    if (text.isBlank() || repeats(text, c)) {
      return Optional.empty();
    }
    return Optional.of(new Suggestion(text, replace));
  }

  /**
   * Removes the longest end of {@code text} that the document already has right after the cursor.
   */
  static String trimOverlap(String text, String after) {
    int max = Math.min(text.length(), Math.min(after.length(), 512));
    for (int k = max; k > 0; k--) {
      if (text.endsWith(after.substring(0, k))) {
        String overlap = after.substring(0, k);
        // Tiny overlaps of ordinary characters are coincidence; closers and whole tokens are not.
        if (k >= 3 || CompletionContext.onlyClosers(overlap)) {
          return text.substring(0, text.length() - k);
        }
      }
    }
    return text;
  }

  /** A suggestion that only restates what is already there. */
  static boolean repeats(String text, CompletionContext c) {
    String s = text.strip();
    if (s.isEmpty()) {
      return true;
    }
    if (c.after().stripLeading().startsWith(s)) {
      return true; // the text after the cursor already says it
    }
    String head = c.before().substring(0, c.before().length() - c.linePrefix().length());
    head = head.endsWith("\n") ? head.substring(0, head.length() - 1) : head;
    String previousLine = head.substring(head.lastIndexOf('\n') + 1);
    String[] lines = text.split("\n");
    boolean allPrevious = !previousLine.isBlank();
    for (String line : lines) {
      allPrevious &= line.strip().equals(previousLine.strip());
    }
    return allPrevious;
  }

  static String stripTrailingBlankLines(String text) {
    String[] lines = text.split("\n", -1);
    int last = lines.length - 1;
    while (last > 0 && lines[last].isBlank()) {
      last--;
    }
    return String.join("\n", java.util.Arrays.copyOf(lines, last + 1));
  }

  /**
   * Re-indents lines after the first with the document's unit when the model used the other style.
   */
  static String fixIndentation(String text, String unit) {
    if (!text.contains("\n")) {
      return text;
    }
    String[] lines = text.split("\n", -1);
    StringBuilder sb = new StringBuilder(lines[0]);
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i];
      String lead = CompletionStops.leading(line);
      String body = line.substring(lead.length());
      String fixed = lead;
      if (unit.equals("\t") && lead.startsWith(" ")) {
        fixed =
            "\t".repeat(CompletionStops.indentWidth(lead) / 4)
                + " ".repeat(CompletionStops.indentWidth(lead) % 4);
      } else if (!unit.equals("\t") && lead.contains("\t")) {
        fixed = lead.replace("\t", unit);
      }
      sb.append('\n').append(fixed).append(body);
    }
    return sb.toString();
  }
}
