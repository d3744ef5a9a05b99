package dev.cromwell.lsp;

import dev.cromwell.engine.generate.GenerationRequest.TextStop;

/**
 * The cursor after the indentation an editor inserts on Enter, on an otherwise empty line. A prompt
 * that ends there ends on the indentation's own token (Qwen's four-space token), where a file goes
 * on as " ", " for"; the model then starts with a blank line (" \n for …"), and healing that token
 * does not help (a healed single space made the 0.5B write one-line bodies). So the prompt ends at
 * the line start, as in completion mode, and the model writes the line with its own indentation;
 * that indentation is then matched against what the user typed: the first line goes on after the
 * typed indentation, and later lines move with it.
 */
final class TypedIndent {
  private TypedIndent() {}

  /** The indentation left out of the prompt: the cursor line when it is only that, else "". */
  static String of(CompletionContext c) {
    String typed = c.linePrefix();
    return !typed.isEmpty() && typed.isBlank() && c.lineSuffix().isBlank() ? typed : "";
  }

  /** The prompt's prefix without the typed indentation (unchanged when none was left out). */
  static String promptPrefix(String prefix, String typed) {
    return !typed.isEmpty() && prefix.endsWith(typed)
        ? prefix.substring(0, prefix.length() - typed.length())
        : prefix;
  }

  /** {@code suffix} from the start of the line after the cursor's (its line end left out). */
  static String suffixAfterLine(String suffix) {
    int end = suffix.indexOf('\n');
    return end >= 0 && suffix.substring(0, end).isBlank() ? suffix.substring(end + 1) : suffix;
  }

  /**
   * Whether the prompt is the text before the cursor alone, without FIM markers: at an
   * indentation-only line with nothing after the cursor (the end of a file) there is no middle to
   * fill, and a FIM prompt with an empty suffix made the 0.5B write one-line bodies (`return
   * len(set(string))`, `return False`) where the same text as a plain continuation gets the body it
   * writes in completion mode (docs/QUALITY.md has the numbers).
   */
  static boolean continuation(String typed, String suffix) {
    return !typed.isEmpty() && suffix.isBlank();
  }

  /**
   * {@code stop} judging the text as if written at the cursor: from its first visible char (the
   * indentation and any blank lines before it are what the user already has), and with its lines
   * moved as {@link #align} moves them, so that the stop compares them with the document's own
   * lines and indentation (a first line the model indented otherwise than the user, and the block
   * after it, would else be judged at the model's indentation).
   */
  static TextStop stop(TextStop stop, String typed) {
    return text -> {
      int start = firstVisible(text);
      if (start < 0) {
        return -1;
      }
      String written = text.substring(start);
      String lead = text.substring(text.lastIndexOf('\n', start - 1) + 1, start);
      if (lead.equals(typed)) {
        int cut = stop.cut(written);
        return cut < 0 ? -1 : start + cut;
      }
      int cut = stop.cut(align(text, typed));
      return cut < 0 ? -1 : start + writtenOffset(written, lead, typed, cut);
    };
  }

  /**
   * The offset in {@code written} (the model's text from its first visible char) of offset {@code
   * at} of its alignment, whose later lines that start with {@code lead} start with {@code typed}
   * instead.
   */
  static int writtenOffset(String written, String lead, String typed, int at) {
    int from = 0; // a line's start in written
    int to = 0; // the same line's start in the aligned text
    for (boolean first = true; ; first = false) {
      int end = written.indexOf('\n', from);
      int lineEnd = end < 0 ? written.length() : end;
      String line = written.substring(from, lineEnd);
      boolean moved = !first && !line.isBlank() && line.startsWith(lead);
      int shift = moved ? typed.length() - lead.length() : 0;
      int alignedEnd = to + (lineEnd - from) + shift;
      if (at <= alignedEnd || end < 0) {
        int p = at - to;
        if (!moved || p >= typed.length()) {
          return from + p - shift;
        }
        return from + Math.min(p, lead.length()); // inside the moved indentation
      }
      from = end + 1;
      to = alignedEnd + 1;
    }
  }

  /**
   * The model's lines as an insertion after {@code typed}: blank lines before the first visible
   * char dropped, the first line's indentation replaced by the typed one and every later line that
   * starts with the same indentation moved with it (keeping the block's shape); "" when nothing
   * visible was written.
   */
  static String align(String text, String typed) {
    int start = firstVisible(text);
    if (start < 0) {
      return "";
    }
    int lineStart = text.lastIndexOf('\n', start - 1) + 1;
    String lead = text.substring(lineStart, start);
    String[] lines = text.substring(start).split("\n", -1);
    StringBuilder sb = new StringBuilder(lines[0]);
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i];
      sb.append('\n');
      if (!lead.equals(typed) && !line.isBlank() && line.startsWith(lead)) {
        sb.append(typed).append(line, lead.length(), line.length());
      } else {
        sb.append(line);
      }
    }
    return sb.toString();
  }

  private static int firstVisible(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (!Character.isWhitespace(text.charAt(i))) {
        return i;
      }
    }
    return -1;
  }
}
