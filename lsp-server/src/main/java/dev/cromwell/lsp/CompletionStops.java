package dev.cromwell.lsp;

import dev.cromwell.engine.generate.GenerationRequest.TextStop;

/**
 * When a suggestion is complete: at the end of the line for single-line suggestions; for multi-line
 * ones, at the first line indented less than the block being written (the block ended), or at a
 * closing bracket that has no opener in the suggestion.
 */
final class CompletionStops {
  private CompletionStops() {}

  static TextStop forContext(CompletionContext context) {
    boolean multi = context.multiLine();
    int base = indentWidth(context.baseIndent());
    boolean atLineStart = context.linePrefix().isBlank();
    return text -> {
      int cut = unbalancedCloser(text, context);
      if (!multi) {
        int newline = text.indexOf('\n');
        if (newline >= 0 && (cut < 0 || newline < cut)) {
          return newline;
        }
        return cut;
      }
      // The block ends where a later line starts less indented than the cursor's block.
      int lineStart = 0;
      int lineNo = 0;
      while (lineStart <= text.length()) {
        int newline = text.indexOf('\n', lineStart);
        int end = newline < 0 ? text.length() : newline;
        // A line still growing can be judged once its indentation is known (a visible char).
        String line = text.substring(lineStart, end);
        // After a block opener ("def f():"), the body is indented deeper than the opener's
        // line, so a line back at the opener's level ends it; on a blank line inside a block,
        // a line less indented than the cursor does.
        int width = indentWidth(leading(line));
        boolean ended = atLineStart ? width < base : width <= base;
        if (lineNo > 0 && !line.isBlank() && ended) {
          int keep = Math.max(0, lineStart - 1);
          return cut >= 0 ? Math.min(cut, keep) : keep;
        }
        if (newline < 0) {
          break;
        }
        lineStart = end + 1;
        lineNo++;
      }
      return cut;
    };
  }

  /** Offset of the first closer without an opener in the text (or -1). */
  static int unbalancedCloser(String text, CompletionContext context) {
    // Brackets the cursor line opened may be closed by the suggestion ("max(|" → "a, b)").
    int depth = Math.max(0, openBrackets(context.linePrefix()));
    char quote = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quote != 0) {
        if (c == '\\') {
          i++;
        } else if (c == quote || c == '\n') {
          quote = 0;
        }
        continue;
      }
      switch (c) {
        case '"', '\'', '`' -> quote = c;
        case '(', '[', '{' -> depth++;
        case ')', ']', '}' -> {
          if (--depth < 0) {
            // Closing what the prefix opened is fine in a multi-line block end ("}" of a body);
            // on a single line it duplicates what is already there.
            return context.multiLine() && text.lastIndexOf('\n', i) >= 0 ? -1 : i;
          }
        }
        default -> {}
      }
    }
    return -1;
  }

  /** Openers minus closers in {@code s}, ignoring quoted text. */
  static int openBrackets(String s) {
    int depth = 0;
    char quote = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quote != 0) {
        if (c == '\\') {
          i++;
        } else if (c == quote) {
          quote = 0;
        }
        continue;
      }
      switch (c) {
        case '"', '\'', '`' -> quote = c;
        case '(', '[', '{' -> depth++;
        case ')', ']', '}' -> depth--;
        default -> {}
      }
    }
    return depth;
  }

  static String leading(String line) {
    int i = 0;
    while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
      i++;
    }
    return line.substring(0, i);
  }

  /** Width of indentation, tabs counted as 4. */
  static int indentWidth(String indent) {
    int w = 0;
    for (char c : indent.toCharArray()) {
      w += c == '\t' ? 4 : 1;
    }
    return w;
  }
}
