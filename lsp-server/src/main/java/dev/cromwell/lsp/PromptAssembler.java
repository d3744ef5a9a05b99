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

  // -Dcromwell.fim.cursorLineEnd=false leaves an indentation-only cursor line's own line end out
  // of the suffix (the suffix then starts at the next line, the shape of the raw FIM benchmark);
  // to measure it per model (docs/QUALITY.md, "Multi-line suggestions at an empty line").
  static final boolean CURSOR_LINE_END =
      Boolean.parseBoolean(System.getProperty("cromwell.fim.cursorLineEnd", "true"));

  // -Dcromwell.anchoredMiddle=true anchors the prefix a few lines up (ANCHOR_LINES) and seeds the
  // middle with the lines typed since; off by default, the cursor line alone seeds it: anchored,
  // Enter keeps the prompt cached, but on the 10-task FIM rows the 0.5B passed 1-2 fewer
  // (docs/PERFORMANCE.md, "Keystroke p95 (issue 23, 4 Dec, second session)").
  static final boolean ANCHORED_MIDDLE =
      Boolean.parseBoolean(System.getProperty("cromwell.anchoredMiddle", "false"));

  /**
   * Where the middle is seeded, the prefix ends at a line that is a multiple of this many lines
   * (the anchor), and the lines typed since it go in the middle: pressing Enter then only appends
   * to the middle, and the prompt before it (prefix, suffix, snippets) stays in the KV cache. It is
   * computed again once every this many lines, when the anchor moves.
   */
  static final int ANCHOR_LINES = 16;

  /**
   * The most chars of whole lines the seed carries before its anchor gives way (to the nearest line
   * that fits): long lines would make a middle far longer than the completion's.
   */
  static final int SEED_MAX_CHARS = 800;

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
    return assemble(document, cursor, plan, contextBudget, format, ANCHORED_MIDDLE);
  }

  /** As above, anchored ({@link #ANCHOR_LINES}) or not whatever the setting says. */
  static Prompt assemble(
      OpenDocument document,
      Cursor cursor,
      PromptPlan plan,
      int contextBudget,
      FimFormat format,
      boolean anchored) {
    TextDocument text = document.text();
    String full = text.text();
    int at = cursor.offset();
    int line = cursor.line();
    CompletionContext context = context(text, cursor);
    boolean anchoring = SEEDED_MIDDLE && anchored && format.seedsMiddle();
    int anchor;
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
      anchor = anchor(anchoring, suffix, line);
    } else {
      relative =
          document.path() != null ? document.path().getFileName().toString() : document.uri();
      // Outside any workspace (or when only a few lines fit the time limit): the lines around
      // the cursor, about 12 tokens a line, the prefix starting before the anchor or (not
      // anchored) on a 16-line grid (half the window when that is under 16 lines, so a few lines
      // are never cut to none) so that it stays the same while the user types (the KV cache
      // keeps it), and an eighth as many lines after the cursor (up to 12).
      int window = Math.max(1, contextBudget / 12);
      if (anchoring) {
        // The window a power of two, so that it stays while the measured prefill rate (which
        // sizes contextBudget here) wanders.
        window = Integer.highestOneBit(window);
      }
      int after = Math.max(1, Math.min(12, window / 8));
      int last = Math.min(text.lineCount() - 1, line + after);
      // On to the next line with code (up to 12 lines after the cursor's): a blank suffix makes
      // an indentation-only line a plain continuation (TypedIndent), a prompt unlike the FIM one
      // of the keystrokes around it, so blank lines after the cursor would have every new line
      // computed twice; the whole plan's suffix (up to 12 lines) reaches code the same way.
      while (anchoring
          && last < Math.min(text.lineCount() - 1, line + 12)
          && full.substring(at, text.lineEnd(last)).isBlank()) {
        last++;
      }
      suffix = full.substring(at, text.lineEnd(last));
      anchor = anchor(anchoring, suffix, line);
      int first;
      if (anchoring && !suffix.isBlank()) {
        // Anchored: the window's lines before the anchor, so the prefix moves with the anchor only.
        first = Math.max(0, anchor - window);
      } else {
        int grid = window >= 16 ? 16 : Math.max(1, window / 2);
        first = Math.max(0, line - window);
        first = Math.min(line, (first + grid - 1) / grid * grid);
      }
      prefix = full.substring(text.lineStart(first), at);
      snippets = List.of();
    }
    // At an indentation-only line the prompt ends at the line start (TypedIndent says why), and
    // with nothing after it, it is the file's text as in completion mode.
    String typed = TypedIndent.of(context);
    prefix = TypedIndent.promptPrefix(prefix, typed);
    if (!CURSOR_LINE_END && !typed.isEmpty()) {
      suffix = TypedIndent.suffixAfterLine(suffix);
    }
    // (At the end of a file this switches the prompt's shape at each indentation-only line and
    // back, so there each new line is computed from scratch twice, and anchor() does not anchor;
    // a plain continuation at every keystroke there was tried, and its mid-line suggestions were
    // worse: docs/PERFORMANCE.md.)
    FimFormat rendered = TypedIndent.continuation(typed, suffix) ? FimFormat.PREFIX_ONLY : format;
    // The lines typed since the anchor go after the middle marker where the format allows: the
    // prompt up to that marker (prefix to the anchor, suffix) then stays the same while the user
    // types, across new lines too, and only the newly typed characters are computed.
    String seed = SEEDED_MIDDLE && rendered.seedsMiddle() ? seed(prefix, line - anchor) : "";
    prefix = prefix.substring(0, prefix.length() - seed.length());
    // A language without a known line comment gets FimFormat's default ("//").
    String comment = Language.ofLanguageId(document.languageId()).lineComment();
    return new Prompt(rendered.render(relative, prefix, suffix, snippets, comment, seed), context);
  }

  /**
   * The line the prefix ends at: the cursor line rounded down to {@link #ANCHOR_LINES} where the
   * middle is seeded, else the cursor line. Not at the end of a file ({@code suffix} blank): there
   * the prompt switches shape at each indentation-only line anyway (TypedIndent.continuation), and
   * a seed of many lines would only make each switch compute more.
   */
  static int anchor(boolean anchoring, String suffix, int line) {
    return anchoring && !suffix.isBlank() ? line - line % ANCHOR_LINES : line;
  }

  /**
   * The end of {@code prefix} from the start of the line {@code wholeLines} lines before its last
   * (its last line alone for 0): fewer when the prefix has fewer, or when they would pass {@link
   * #SEED_MAX_CHARS}.
   */
  static String seed(String prefix, int wholeLines) {
    int start = prefix.lastIndexOf('\n') + 1;
    for (int i = 0; i < wholeLines && start > 0; i++) {
      int earlier = prefix.lastIndexOf('\n', start - 2) + 1;
      if (prefix.length() - earlier > SEED_MAX_CHARS) {
        break;
      }
      start = earlier;
    }
    return prefix.substring(start);
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
