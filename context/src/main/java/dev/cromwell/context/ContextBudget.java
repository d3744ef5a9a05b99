package dev.cromwell.context;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a token budget into a {@link PromptPlan}.
 *
 * <p>For a cursor: the prefix (favoured) and suffix around it, cut at line boundaries; then the
 * windows of other files most similar to the code at the cursor, each tagged with its path; then
 * whole small related files — never over the budget, counted with the given counter. For an edit:
 * the file with the region, then the definitions of names the region uses.
 */
public final class ContextBudget {
  /** Share of the budget the prefix may take before snippets get any. */
  static final double PREFIX_SHARE = 0.55;

  /** Share of the budget the suffix may take. */
  static final double SUFFIX_SHARE = 0.1;

  /** The suffix shows at most this many lines after the cursor's. */
  static final int SUFFIX_MAX_LINES = 12;

  // -Dcromwell.prefixShare=F, -Dcromwell.suffixShare=F and -Dcromwell.suffixLines=N override the
  // three above, read when a ContextBudget is made: only to measure the FIM context on the FIM
  // benchmarks (docs/QUALITY.md, "FIM context"), not an editor setting.
  private final double prefixShare =
      override("cromwell.prefixShare", PREFIX_SHARE, "a share of the budget, e.g. 0.55");
  private final int suffixMaxLines =
      (int) override("cromwell.suffixLines", SUFFIX_MAX_LINES, "a number of lines, e.g. 12");
  private final double suffixShare =
      override("cromwell.suffixShare", SUFFIX_SHARE, "a share of the budget, e.g. 0.1");

  /**
   * The prefix starts on a multiple of this many lines, so that its first line (and with it the
   * whole start of the prompt, which the KV cache keeps) stays put while the user types.
   */
  static final int PREFIX_ALIGN_LINES = 16;

  /** Lines around the cursor whose identifiers define "similar code". */
  static final int QUERY_LINES_BEFORE = 30;

  static final int QUERY_LINES_AFTER = 5;
  static final int MAX_SNIPPETS = 8;
  static final int SMALL_FILE_TOKENS = 400;

  private final WorkspaceIndex index;
  private final TokenCounter counter;
  private final Relevance relevance;

  public ContextBudget(WorkspaceIndex index, TokenCounter counter, RelevanceWeights weights) {
    this.index = index;
    this.counter = TokenCounter.caching(counter);
    this.relevance = new Relevance(index, weights, counter);
  }

  public TokenCounter counter() {
    return counter;
  }

  /** The header that tags a snippet or file with its path (counted in its tokens). */
  public static String header(String path) {
    return "// " + path + "\n";
  }

  /**
   * The plan for a cursor at {@code line} (0-based) and {@code column} (UTF-16 units) of {@code
   * path}, which must be indexed (open documents are).
   */
  public PromptPlan planCompletion(Path path, int line, int column, int budget) {
    IndexedFile target = requireIndexed(path);
    Lines lines = new Lines(target.text());
    int cursorLine = Math.max(0, Math.min(line, lines.count() - 1));
    int cursorOffset =
        (int) Math.min((long) lines.start(cursorLine) + Math.max(0, column), lines.end(cursorLine));
    String text = target.text();
    List<PlanPiece> pieces = new ArrayList<>();
    int remaining = budget;

    // Prefix: whole lines backwards from the cursor while they fit in its share.
    int prefixLimit = (int) Math.round(budget * prefixShare);
    int suffixLimit = (int) Math.round(budget * suffixShare);
    String partial = text.substring(lines.start(cursorLine), cursorOffset);
    int prefixStart = alignUp(takeBackwards(lines, cursorLine, partial, prefixLimit), cursorLine);
    String prefix = text.substring(lines.start(prefixStart), cursorOffset);
    int prefixTokens = counter.count(prefix);
    while (prefixTokens > Math.max(prefixLimit, 0) && prefixStart < cursorLine) {
      prefixStart++;
      prefix = text.substring(lines.start(prefixStart), cursorOffset);
      prefixTokens = counter.count(prefix);
    }
    if (prefixTokens > budget) {
      prefix = trimStartToFit(prefix, budget);
      prefixTokens = counter.count(prefix);
    }
    pieces.add(
        new PlanPiece(
            PlanPiece.Kind.PREFIX,
            target.relativePath(),
            prefixStart,
            cursorLine,
            prefix,
            prefixTokens,
            1.0,
            "text before the cursor, from line " + (prefixStart + 1)));
    remaining -= prefixTokens;

    // Suffix: the rest of the cursor line and whole lines after it.
    String suffix = "";
    int suffixEnd = cursorLine;
    if (remaining > 0) {
      int limit = Math.min(remaining, suffixLimit);
      suffixEnd =
          takeForwards(
              lines, cursorLine, text.substring(cursorOffset, lines.end(cursorLine)), limit);
      suffix = text.substring(cursorOffset, lines.end(suffixEnd));
      while (counter.count(suffix) > limit && suffixEnd > cursorLine) {
        suffixEnd--;
        suffix = text.substring(cursorOffset, lines.end(suffixEnd));
      }
      if (counter.count(suffix) > limit) {
        suffix = "";
      }
    }
    int suffixTokens = counter.count(suffix);
    pieces.add(
        new PlanPiece(
            PlanPiece.Kind.SUFFIX,
            target.relativePath(),
            cursorLine,
            suffixEnd,
            suffix,
            suffixTokens,
            1.0,
            "text after the cursor, to line " + (suffixEnd + 1)));
    remaining -= suffixTokens;

    // Snippets from other files, most similar first.
    Set<String> query =
        Relevance.identifiersAround(target, cursorLine, QUERY_LINES_BEFORE, QUERY_LINES_AFTER);
    List<Snippet> snippets = relevance.snippets(target, query, MAX_SNIPPETS);
    Map<Path, Double> bestSimilarity = new HashMap<>();
    Set<Path> used = new HashSet<>();
    for (Snippet s : snippets) {
      bestSimilarity.merge(s.file().path(), s.similarity(), Math::max);
      String body = new Lines(s.file().text()).range(s.startLine(), s.endLine());
      String tagged = header(s.file().relativePath()) + body + "\n";
      int tokens = counter.count(tagged);
      if (tokens <= remaining) {
        pieces.add(
            new PlanPiece(
                PlanPiece.Kind.SNIPPET,
                s.file().relativePath(),
                s.startLine(),
                s.endLine(),
                tagged,
                tokens,
                s.similarity(),
                String.format(
                    java.util.Locale.ROOT,
                    "Jaccard similarity %.2f with the lines around the cursor",
                    s.similarity())));
        remaining -= tokens;
        used.add(s.file().path());
      }
    }

    // Whole small related files, by relevance, if they still fit.
    for (ScoredFile sf : relevance.rankRelated(target, bestSimilarity)) {
      if (remaining <= 0) {
        break;
      }
      if (used.contains(sf.file().path()) || sf.score() <= 0) {
        continue;
      }
      int size = index.tokens(sf.file(), counter);
      if (size > SMALL_FILE_TOKENS || size + 16 > remaining) {
        continue;
      }
      String tagged =
          header(sf.file().relativePath())
              + sf.file().text()
              + (sf.file().text().endsWith("\n") ? "" : "\n");
      int tokens = counter.count(tagged);
      if (tokens <= remaining) {
        int last = Math.max(0, sf.file().lineCount() - 1);
        pieces.add(
            new PlanPiece(
                PlanPiece.Kind.FILE,
                sf.file().relativePath(),
                0,
                last,
                tagged,
                tokens,
                sf.score(),
                String.join(", ", sf.reasons())));
        remaining -= tokens;
      }
    }
    return new PromptPlan(
        target.relativePath(), cursorLine, column, budget, pieces, counter.description());
  }

  /**
   * The plan for an edit of lines {@code startLine..endLine} (0-based, inclusive): the file (or, if
   * it does not fit, the lines around the region) and the definitions the region uses.
   */
  public PromptPlan planEdit(Path path, int startLine, int endLine, int budget) {
    IndexedFile target = requireIndexed(path);
    Lines lines = new Lines(target.text());
    int first = Math.max(0, Math.min(startLine, lines.count() - 1));
    int last = Math.max(first, Math.min(endLine, lines.count() - 1));
    int from = 0;
    int to = lines.count() - 1;
    String body = target.text();
    int tokens = counter.count(body);
    // Too big: shrink symmetrically around the region until it fits in 70% of the budget.
    int limit = (int) (budget * 0.7);
    while (tokens > limit && (from < first || to > last)) {
      int margin = Math.max(1, (to - from - (last - first)) / 4);
      from = Math.min(first, from + margin);
      to = Math.max(last, to - margin);
      body = lines.range(from, to);
      tokens = counter.count(body);
    }
    if (tokens > budget) {
      throw new IllegalArgumentException(
          "the region "
              + (first + 1)
              + "-"
              + (last + 1)
              + " of "
              + target.relativePath()
              + " alone needs "
              + tokens
              + " tokens; the budget is "
              + budget);
    }
    List<PlanPiece> pieces = new ArrayList<>();
    pieces.add(
        new PlanPiece(
            PlanPiece.Kind.EDIT_FILE,
            target.relativePath(),
            from,
            to,
            body,
            tokens,
            1.0,
            "file being edited; region lines " + (first + 1) + "-" + (last + 1)));
    int remaining = budget - tokens;

    String region = lines.range(first, last);
    Set<String> names =
        new LinkedHashSet<>(
            CodeText.identifiers(
                target.language().isCode()
                    ? CodeText.stripCommentsAndStrings(region, target.language())
                    : region));
    ImportGraph graph = index.graph();
    Set<String> seen = new HashSet<>();
    for (String name : names) {
      for (ImportGraph.Definition d : graph.definitionsOf(name)) {
        boolean insideShown =
            d.file().path().equals(target.path())
                && d.symbol().line() >= from
                && d.symbol().endLine() <= to;
        if (insideShown || !seen.add(d.file().relativePath() + ":" + d.symbol().line())) {
          continue;
        }
        String definition =
            header(d.file().relativePath())
                + new Lines(d.file().text()).range(d.symbol().line(), d.symbol().endLine())
                + "\n";
        int cost = counter.count(definition);
        if (cost <= remaining) {
          pieces.add(
              new PlanPiece(
                  PlanPiece.Kind.DEFINITION,
                  d.file().relativePath(),
                  d.symbol().line(),
                  d.symbol().endLine(),
                  definition,
                  cost,
                  1.0,
                  "defines " + d.symbol().kind() + " " + name + ", used in the region"));
          remaining -= cost;
        }
      }
    }
    return new PromptPlan(
        target.relativePath(), first, last, budget, pieces, counter.description());
  }

  private IndexedFile requireIndexed(Path path) {
    return index
        .file(path)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    path
                        + " is not in the index (outside the workspace roots "
                        + index.roots()
                        + ", ignored, binary or too large)"));
  }

  /** The value of system property {@code name}, {@code fallback} when unset. */
  private static double override(String name, double fallback, String expected) {
    String value = System.getProperty(name);
    if (value == null) {
      return fallback;
    }
    try {
      double v = Double.parseDouble(value.strip());
      if (v >= 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "-D" + name + "=" + value + ": expected " + expected + " (0 or more); remove it or fix it");
  }

  /** Rounds a prefix start up to the alignment grid (fewer lines, so still within budget). */
  static int alignUp(int start, int cursorLine) {
    int aligned = (start + PREFIX_ALIGN_LINES - 1) / PREFIX_ALIGN_LINES * PREFIX_ALIGN_LINES;
    return Math.min(aligned, cursorLine);
  }

  /** The first line to include so that lines first..cursor fit in {@code limit} (by line sums). */
  private int takeBackwards(Lines lines, int cursorLine, String partial, int limit) {
    int used = counter.count(partial);
    int first = cursorLine;
    while (first > 0) {
      int cost = counter.count(lines.line(first - 1) + "\n");
      if (used + cost > limit) {
        break;
      }
      used += cost;
      first--;
    }
    return first;
  }

  private int takeForwards(Lines lines, int cursorLine, String rest, int limit) {
    int used = counter.count(rest);
    int last = cursorLine;
    while (last + 1 < lines.count() && last + 1 - cursorLine <= suffixMaxLines) {
      int cost = counter.count("\n" + lines.line(last + 1));
      if (used + cost > limit) {
        break;
      }
      used += cost;
      last++;
    }
    return last;
  }

  private String trimStartToFit(String text, int budget) {
    int from = 0;
    while (from < text.length() && counter.count(text.substring(from)) > budget) {
      from += Math.max(1, (text.length() - from) / 8);
    }
    return text.substring(Math.min(from, text.length()));
  }
}
