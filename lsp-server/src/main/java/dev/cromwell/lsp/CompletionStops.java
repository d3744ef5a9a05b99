package dev.cromwell.lsp;

import dev.cromwell.context.Language;
import dev.cromwell.engine.generate.GenerationRequest.TextStop;

/**
 * When a suggestion is complete: at the end of the line for single-line suggestions; for multi-line
 * ones, at the first line that leaves the code being written (see {@link #forContext}), at a line
 * that repeats the first line of code after the cursor (the gap is filled), or at a closing bracket
 * that has no opener in the suggestion; in a known language's document without Markdown code
 * fences, at a line that starts one.
 */
final class CompletionStops {
  private CompletionStops() {}

  /**
   * The stop rule for a suggestion at {@code context} in a document of {@code language}. After a
   * block opener ("def f():") the suggestion is that block's body. At an empty line inside a
   * definition of which no code follows the cursor (its end, being written) it may finish the
   * blocks around the cursor and the rest of the definition, and ends at a line back at the
   * definition's own indentation: the lines after an inner block's end are as much the gap as the
   * block's own (a loop body, then the function's {@code return}); the model is then writing the
   * next definition or module code. Elsewhere it ends with the cursor's block: where code of the
   * definition follows, past the block it would write that code again.
   */
  static TextStop forContext(CompletionContext context, Language language) {
    boolean multi = context.multiLine();
    int base = indentWidth(context.baseIndent());
    boolean atLineStart = context.linePrefix().isBlank();
    int definition =
        multi && atLineStart
            ? EnclosingDefinition.indentWidth(context.before(), base, language)
            : -1;
    String nextLine = multi ? nextCodeLine(context.after()) : null;
    boolean definitionGoesOn =
        definition >= 0 && nextLine != null && indentWidth(leading(nextLine)) > definition;
    int finishes = definitionGoesOn ? -1 : definition;
    // Not in a language the server does not know (Markdown and plain text among them): a README
    // gets its first fence from a suggestion.
    boolean strayFences =
        language != Language.OTHER
            && !context.before().contains(FENCE)
            && !context.after().contains(FENCE);
    return text -> {
      int cut = unbalancedCloser(text, context);
      if (strayFences) {
        int fence = fenceLine(text, atLineStart);
        cut = fence >= 0 && (cut < 0 || fence < cut) ? fence : cut;
      }
      if (!multi) {
        int newline = text.indexOf('\n');
        if (newline >= 0 && (cut < 0 || newline < cut)) {
          return newline;
        }
        return cut;
      }
      // The suggestion ends where a later line starts back at the indentation it must stay in.
      int lineStart = 0;
      int lineNo = 0;
      while (lineStart <= text.length()) {
        int newline = text.indexOf('\n', lineStart);
        int end = newline < 0 ? text.length() : newline;
        // A line still growing can be judged once its indentation is known (a visible char).
        String line = text.substring(lineStart, end);
        // After a block opener ("def f():"), the body is indented deeper than the opener's
        // line, so a line back at the opener's level ends it; on a blank line at the end of a
        // definition, a line back at the definition's level does; elsewhere, a line less
        // indented than the cursor.
        int width = indentWidth(leading(line));
        boolean ended =
            !atLineStart ? width <= base : finishes >= 0 ? width <= finishes : width < base;
        // A whole line (a line break ended it) that is the code after the cursor: the model
        // filled the gap and went on with what the document already has.
        boolean reachedAfter = newline >= 0 && line.stripTrailing().equals(nextLine);
        if (lineNo > 0 && !line.isBlank() && (ended || reachedAfter)) {
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

  private static final String FENCE = "```";

  /**
   * Where the text stops before a line that starts a Markdown code fence, or -1. Instruct models
   * end their answer's code block so after the code they were asked for (the 0.5B answered a bare
   * "```" at an empty line between two Python functions); in a document that has no fences such a
   * line is never the user's code. The text's first line counts only when it starts a line.
   */
  static int fenceLine(String text, boolean atLineStart) {
    int lineStart = 0;
    while (lineStart <= text.length()) {
      int newline = text.indexOf('\n', lineStart);
      String line = text.substring(lineStart, newline < 0 ? text.length() : newline);
      if ((lineStart > 0 || atLineStart) && line.stripLeading().startsWith(FENCE)) {
        return Math.max(0, lineStart - 1);
      }
      if (newline < 0) {
        return -1;
      }
      lineStart = newline + 1;
    }
    return -1;
  }

  /** The first line with code after the cursor's line, without trailing blanks (or null). */
  static String nextCodeLine(String after) {
    int start = after.indexOf('\n') + 1;
    while (start > 0 && start < after.length()) {
      int end = after.indexOf('\n', start);
      String line = after.substring(start, end < 0 ? after.length() : end);
      if (!line.isBlank()) {
        return line.stripTrailing();
      }
      start = end < 0 ? after.length() : end + 1;
    }
    return null;
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
