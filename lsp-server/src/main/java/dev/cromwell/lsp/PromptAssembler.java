package dev.cromwell.lsp;

import dev.cromwell.context.ContextBudget;
import dev.cromwell.context.Language;
import dev.cromwell.context.PlanPiece;
import dev.cromwell.context.PromptPlan;
import dev.cromwell.protocol.FimFormat;
import dev.cromwell.protocol.TextDocument;
import java.util.Comparator;
import java.util.List;

/**
 * Turns a document, a cursor and the index's plan for it into the FIM prompt parts of the model's
 * format. Pure: no I/O, no threads, no state; the same inputs give the same parts, so it is tested
 * and reasoned about without a model or a server.
 */
final class PromptAssembler {
  // -Dcromwell.seededMiddle=false ends the prompt at the cursor in every format (to measure what
  // seeding the middle with the typed line is worth).
  private static final boolean SEEDED_MIDDLE =
      Boolean.parseBoolean(System.getProperty("cromwell.seededMiddle", "true"));

  private PromptAssembler() {}

  /** The cursor clamped into the text, with its line and its column (in chars) on that line. */
  record Cursor(int offset, int line, int column) {
    static Cursor of(TextDocument text, int offset) {
      int cursor = Math.max(0, Math.min(offset, text.text().length()));
      int line = text.lineOf(cursor);
      return new Cursor(cursor, line, cursor - text.lineStart(line));
    }
  }

  /** The rendered prompt, and the text around the cursor that shapes stops and post-processing. */
  record Prompt(List<FimFormat.Part> parts, CompletionContext context) {}

  /**
   * The prompt for {@code cursor} in {@code document}.
   *
   * @param plan the workspace index's plan for the cursor, or null outside any indexed workspace
   * @param contextBudget prompt tokens allowed (sizes the window around the cursor without a plan)
   */
  static Prompt assemble(
      OpenDocument document, Cursor cursor, PromptPlan plan, int contextBudget, FimFormat format) {
    TextDocument text = document.text();
    String full = text.text();
    int at = cursor.offset();
    int line = cursor.line();
    CompletionContext context = context(text, cursor);
    String relative;
    String prefix;
    String suffix;
    List<FimFormat.Snippet> snippets;
    if (plan != null) {
      relative = plan.target();
      prefix = plan.piece(PlanPiece.Kind.PREFIX).map(PlanPiece::text).orElse("");
      suffix = plan.piece(PlanPiece.Kind.SUFFIX).map(PlanPiece::text).orElse("");
      // Stable order (by path, then line) keeps the start of the prompt the same across keystrokes.
      snippets =
          plan.pieces().stream()
              .filter(p -> p.kind() == PlanPiece.Kind.SNIPPET || p.kind() == PlanPiece.Kind.FILE)
              .sorted(Comparator.comparing(PlanPiece::path).thenComparingInt(PlanPiece::startLine))
              .map(p -> new FimFormat.Snippet(p.path(), stripHeader(p)))
              .toList();
    } else {
      relative =
          document.path() != null ? document.path().getFileName().toString() : document.uri();
      // Outside any workspace (or when only a few lines fit the time limit): the lines around
      // the cursor, about 12 tokens a line, the prefix starting on a 16-line grid (half the
      // window when that is under 16 lines, so a few lines are never cut to none) so that it
      // stays the same while the user types (the KV cache keeps it), and an eighth as many lines
      // after the cursor (up to 12).
      int window = Math.max(1, contextBudget / 12);
      int grid = window >= 16 ? 16 : Math.max(1, window / 2);
      int first = Math.max(0, line - window);
      first = Math.min(line, (first + grid - 1) / grid * grid);
      prefix = full.substring(text.lineStart(first), at);
      int after = Math.max(1, Math.min(12, window / 8));
      suffix = full.substring(at, text.lineEnd(Math.min(text.lineCount() - 1, line + after)));
      snippets = List.of();
    }
    // At an indentation-only line the prompt ends at the line start (TypedIndent says why), and
    // with nothing after it, it is the file's text as in completion mode.
    String typed = TypedIndent.of(context);
    prefix = TypedIndent.promptPrefix(prefix, typed);
    FimFormat rendered = TypedIndent.continuation(typed, suffix) ? FimFormat.PREFIX_ONLY : format;
    // The cursor line typed so far goes after the middle marker where the format allows: the
    // prompt up to that marker (prefix to the line start, suffix) then stays the same while the
    // user types on the line, and only the newly typed characters are computed.
    String seed = SEEDED_MIDDLE && rendered.seedsMiddle() ? lineSoFar(prefix) : "";
    prefix = prefix.substring(0, prefix.length() - seed.length());
    // A language without a known line comment gets FimFormat's default ("//").
    String comment = Language.ofLanguageId(document.languageId()).lineComment();
    return new Prompt(rendered.render(relative, prefix, suffix, snippets, comment, seed), context);
  }

  /** The end of {@code prefix} after its last line break (all of it when it has none). */
  static String lineSoFar(String prefix) {
    return prefix.substring(prefix.lastIndexOf('\n') + 1);
  }

  /** The text around {@code cursor} that shapes stops and post-processing. */
  static CompletionContext context(TextDocument text, Cursor cursor) {
    String full = text.text();
    int at = cursor.offset();
    int line = cursor.line();
    return new CompletionContext(
        full.substring(text.lineStart(line), at),
        full.substring(at, Math.max(at, text.lineEnd(line))),
        full.substring(0, at),
        full.substring(at),
        CompletionContext.detectIndentUnit(full));
  }

  private static String stripHeader(PlanPiece p) {
    String header = ContextBudget.header(p.path());
    return p.text().startsWith(header) ? p.text().substring(header.length()) : p.text();
  }
}
