package dev.cromwell.lsp;

import dev.cromwell.context.Language;
import dev.cromwell.context.SourceAnalyzer;

/**
 * The definition (function, method, class) whose body holds the cursor, read from the lines above
 * it: each line less indented than those below it opens an enclosing block, and the nearest one the
 * language's analyzer reads as a definition is the one a suggestion is written in.
 */
final class EnclosingDefinition {
  private EnclosingDefinition() {}

  /**
   * The indentation width of the innermost definition line above the cursor that is less indented
   * than {@code cursorWidth}, or -1 when none is (code outside definitions, a language the analyzer
   * does not read, or an enclosing line that is not code, such as a docstring's text at column 0).
   *
   * @param before the document up to the cursor; its last line is the cursor's
   */
  static int indentWidth(String before, int cursorWidth, Language language) {
    int level = cursorWidth;
    int end = before.lastIndexOf('\n');
    while (end >= 0 && level > 0) {
      int start = before.lastIndexOf('\n', end - 1) + 1;
      String line = before.substring(start, end);
      if (!line.isBlank()) {
        int width = CompletionStops.indentWidth(CompletionStops.leading(line));
        if (width < level) {
          if (!SourceAnalyzer.analyze(line, language).symbols().isEmpty()) {
            return width;
          }
          level = width; // an enclosing block that is not a definition: look further out
        }
      }
      end = start - 1;
    }
    return -1;
  }
}
