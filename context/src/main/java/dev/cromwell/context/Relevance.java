package dev.cromwell.context;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Ranks workspace files by relevance to a target file and cursor, and finds the windows of code
 * most similar to the lines around the cursor.
 */
public final class Relevance {
  private static final long HOUR_MILLIS = 3_600_000L;

  /** Only the files sharing the most identifiers with the query have their windows compared. */
  private static final int SNIPPET_CANDIDATE_FILES = 32;

  private final WorkspaceIndex index;
  private final RelevanceWeights weights;
  private final TokenCounter counter;

  public Relevance(WorkspaceIndex index, RelevanceWeights weights, TokenCounter counter) {
    this.index = index;
    this.weights = weights;
    this.counter = counter;
  }

  /** Every other indexed file with its score, best first; ties broken by path. */
  public List<ScoredFile> rank(IndexedFile target, Map<Path, Double> snippetSimilarity) {
    return rank(target, snippetSimilarity, index.files());
  }

  /**
   * The files related to the target — imported by it, importing it, defining names it uses, similar
   * to the code at the cursor, recently edited or opened — scored, best first. Unrelated files are
   * left out: ranking them would cost time per keystroke and add nothing.
   */
  public List<ScoredFile> rankRelated(IndexedFile target, Map<Path, Double> snippetSimilarity) {
    ImportGraph graph = index.graph();
    java.util.Set<Path> related = new java.util.LinkedHashSet<>();
    related.addAll(graph.importsOf(target.path()));
    related.addAll(graph.importersOf(target.path()));
    related.addAll(snippetSimilarity.keySet());
    for (String name : target.facts().identifiers()) {
      List<ImportGraph.Definition> definitions = graph.definitionsOf(name);
      if (definitions.size() <= 8) { // a name defined everywhere says nothing
        definitions.forEach(d -> related.add(d.file().path()));
      }
    }
    long now = System.currentTimeMillis();
    for (IndexedFile f : index.files()) {
      Long edited = index.lastEdit(f.path());
      Long visited = index.lastVisit(f.path());
      if ((edited != null && now - edited < HOUR_MILLIS)
          || (visited != null && now - visited < HOUR_MILLIS)) {
        related.add(f.path());
      }
    }
    List<IndexedFile> candidates = new ArrayList<>();
    for (Path p : related) {
      index.file(p).ifPresent(candidates::add);
    }
    return rank(target, snippetSimilarity, candidates);
  }

  private List<ScoredFile> rank(
      IndexedFile target,
      Map<Path, Double> snippetSimilarity,
      java.util.Collection<IndexedFile> candidates) {
    ImportGraph graph = index.graph();
    Set<Path> imported = graph.importsOf(target.path());
    Set<Path> importers = graph.importersOf(target.path());
    Set<String> used = target.facts().identifiers();
    long now = System.currentTimeMillis();
    List<ScoredFile> result = new ArrayList<>();
    for (IndexedFile f : candidates) {
      if (f.path().equals(target.path())) {
        continue;
      }
      double score = 0;
      List<String> reasons = new ArrayList<>();
      if (f.language() == target.language() && f.language() != Language.OTHER) {
        score += weights.languageMatch();
        reasons.add("same language +" + fmt(weights.languageMatch()));
      }
      if (imported.contains(f.path())) {
        score += weights.importRelation();
        reasons.add("imported by the target +" + fmt(weights.importRelation()));
      } else if (importers.contains(f.path())) {
        score += weights.importRelation();
        reasons.add("imports the target +" + fmt(weights.importRelation()));
      }
      int shared = 0;
      for (Symbol s : f.facts().symbols()) {
        if (used.contains(s.name())) {
          shared++;
        }
      }
      if (shared > 0) {
        double bonus = Math.min(weights.sharedSymbolCap(), shared * weights.sharedSymbol());
        score += bonus;
        reasons.add(shared + " shared symbols +" + fmt(bonus));
      }
      Long edited = index.lastEdit(f.path());
      if (edited != null && now - edited < HOUR_MILLIS) {
        score += weights.recentEdit();
        reasons.add("edited recently +" + fmt(weights.recentEdit()));
      }
      Long visited = index.lastVisit(f.path());
      if (visited != null && now - visited < HOUR_MILLIS) {
        score += weights.recentVisit();
        reasons.add("opened recently +" + fmt(weights.recentVisit()));
      }
      double similarity = snippetSimilarity.getOrDefault(f.path(), 0.0);
      if (similarity > 0) {
        double bonus = similarity * weights.snippetSimilarity();
        score += bonus;
        reasons.add("similar code (Jaccard " + fmt(similarity) + ") +" + fmt(bonus));
      }
      int tokens = index.tokens(f, counter);
      double penalty = Math.log(Math.max(1, tokens)) * weights.sizePenalty();
      score -= penalty;
      reasons.add("size " + tokens + " tokens -" + fmt(penalty));
      result.add(new ScoredFile(f, score, reasons));
    }
    result.sort(
        Comparator.comparingDouble(ScoredFile::score)
            .reversed()
            .thenComparing(s -> s.file().relativePath()));
    return result;
  }

  /**
   * The windows of other files most similar (Jaccard of identifier sets) to {@code query}, best
   * first, at most one per overlapping region.
   */
  public List<Snippet> snippets(IndexedFile target, Set<String> query, int limit) {
    if (query.isEmpty()) {
      return List.of();
    }
    ImportGraph graph = index.graph();
    Map<Path, Integer> overlap = new HashMap<>();
    int common = Math.max(50, index.files().size() / 5);
    for (String id : query) {
      List<Path> users = graph.filesUsing(id);
      if (users.size() > common) {
        continue; // used nearly everywhere: no signal, and expensive
      }
      for (Path p : users) {
        overlap.merge(p, 1, Integer::sum);
      }
    }
    overlap.remove(target.path());
    List<Map.Entry<Path, Integer>> candidates = new ArrayList<>(overlap.entrySet());
    candidates.sort(
        Map.Entry.<Path, Integer>comparingByValue()
            .reversed()
            .thenComparing(e -> e.getKey().toString()));
    List<Snippet> snippets = new ArrayList<>();
    for (Map.Entry<Path, Integer> candidate :
        candidates.subList(0, Math.min(SNIPPET_CANDIDATE_FILES, candidates.size()))) {
      IndexedFile f = index.file(candidate.getKey()).orElse(null);
      if (f == null) {
        continue;
      }
      for (IndexedFile.Window w : f.windows()) {
        double similarity = jaccard(query, w.identifiers());
        if (similarity > 0) {
          snippets.add(new Snippet(f, w.startLine(), w.endLine(), similarity));
        }
      }
    }
    snippets.sort(
        Comparator.comparingDouble(Snippet::similarity)
            .reversed()
            .thenComparing(s -> s.file().relativePath())
            .thenComparingInt(Snippet::startLine));
    List<Snippet> chosen = new ArrayList<>();
    for (Snippet s : snippets) {
      boolean overlaps =
          chosen.stream()
              .anyMatch(
                  c ->
                      c.file().path().equals(s.file().path())
                          && c.startLine() <= s.endLine()
                          && s.startLine() <= c.endLine());
      if (!overlaps) {
        chosen.add(s);
        if (chosen.size() == limit) {
          break;
        }
      }
    }
    return chosen;
  }

  static double jaccard(Set<String> a, Set<String> b) {
    if (a.isEmpty() || b.isEmpty()) {
      return 0;
    }
    Set<String> small = a.size() <= b.size() ? a : b;
    Set<String> large = small == a ? b : a;
    int common = 0;
    for (String s : small) {
      if (large.contains(s)) {
        common++;
      }
    }
    return common / (double) (a.size() + b.size() - common);
  }

  static Set<String> identifiersAround(IndexedFile file, int line, int before, int after) {
    Lines lines =
        new Lines(
            file.language().isCode()
                ? CodeText.stripCommentsAndStrings(file.text(), file.language())
                : file.text());
    int from = Math.max(0, line - before);
    int to = Math.min(lines.count() - 1, line + after);
    return new HashSet<>(CodeText.identifiers(lines.range(from, to)));
  }

  private static String fmt(double v) {
    return String.format(java.util.Locale.ROOT, "%.2f", v);
  }
}
