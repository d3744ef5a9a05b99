package dev.cromwell.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.engine.TestData;
import dev.cromwell.engine.gguf.GgufFile;
import dev.cromwell.engine.tokenizer.TokenizerLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContextBudgetTest {
  @TempDir Path dir;
  Fixture f;
  Path main;

  @BeforeEach
  void workspace() {
    f = new Fixture(dir);
    StringBuilder big =
        new StringBuilder("from shapes import area_of_circle, Square\nimport geometry\n\n");
    for (int i = 0; i < 300; i++) {
      big.append("def step")
          .append(i)
          .append("(value):\n    total = area_of_circle(value) + ")
          .append(i)
          .append("\n    return total\n\n");
    }
    big.append(
        "def compute(radius):\n    result = area_of_circle(radius)\n    square = Square(radius)\n    return result + square.area()\n");
    main = f.write("main.py", big.toString());
    f.write(
        "shapes.py",
        "import math\n\ndef area_of_circle(radius):\n    return math.pi * radius * radius\n\nclass Square:\n    def __init__(self, side):\n        self.side = side\n\n    def area(self):\n        return self.side * self.side\n");
    f.write("geometry.py", "PI = 3.14159\n");
    f.write(
        "unrelated.py",
        "def bake_bread(flour, water):\n    dough = flour + water\n    return dough\n");
    f.write("notes.md", "Shopping list: flour, water.\n");
  }

  @Test
  void budgetIsNeverExceededAcrossManyRandomBudgetsAndCursors() throws Exception {
    WorkspaceIndex index = f.index();
    try (GgufFile vocab = GgufFile.open(TestData.tokenizers().resolve("ggml-vocab-qwen2.gguf"))) {
      for (TokenCounter counter :
          List.of(TokenCounter.approximate(), TokenCounter.of(TokenizerLoader.load(vocab)))) {
        ContextBudget budget = new ContextBudget(index, counter, RelevanceWeights.defaults());
        Random rnd = new Random(5);
        for (int i = 0; i < 150; i++) {
          int tokens = 1 + rnd.nextInt(3000);
          int line = rnd.nextInt(1210);
          int column =
              rnd.nextInt(10) == 0
                  ? Integer.MAX_VALUE
                  : rnd.nextInt(30); // past the end = end of line
          PromptPlan plan = budget.planCompletion(main, line, column, tokens);
          int recounted = plan.pieces().stream().mapToInt(p -> counter.count(p.text())).sum();
          assertTrue(
              plan.totalTokens() <= tokens,
              "plan of " + plan.totalTokens() + " > budget " + tokens);
          assertEquals(recounted, plan.totalTokens(), "pieces carry their exact counts");
        }
      }
    }
  }

  @Test
  void prefixAndSuffixMeetAtTheCursorAndCutAtLineBoundaries() {
    WorkspaceIndex index = f.index();
    ContextBudget budget =
        new ContextBudget(index, TokenCounter.approximate(), RelevanceWeights.defaults());
    int line = 1204; // "    result = area_of_circle(radius)"
    PromptPlan plan = budget.planCompletion(main, line, 13, 2000);
    String prefix = plan.piece(PlanPiece.Kind.PREFIX).orElseThrow().text();
    String suffix = plan.piece(PlanPiece.Kind.SUFFIX).orElseThrow().text();
    assertTrue(
        prefix.endsWith("    result = "), prefix.substring(Math.max(0, prefix.length() - 40)));
    assertTrue(suffix.startsWith("area_of_circle(radius)\n"), suffix);
    String text = index.file(main).orElseThrow().text();
    int cut = text.indexOf(prefix);
    assertTrue(cut == 0 || text.charAt(cut - 1) == '\n', "prefix starts at a line start");
    assertTrue(text.contains(prefix + suffix));
    assertTrue(
        plan.piece(PlanPiece.Kind.PREFIX).orElseThrow().tokens()
            > plan.piece(PlanPiece.Kind.SUFFIX).orElseThrow().tokens(),
        "prefix favoured");
  }

  @Test
  void suffixLinesAndShareCanBeOverriddenForMeasurement() {
    WorkspaceIndex index = f.index();
    int line = 10; // "    total = area_of_circle(value) + 3", with hundreds of lines after it
    ContextBudget defaults =
        new ContextBudget(index, TokenCounter.approximate(), RelevanceWeights.defaults());
    assertEquals(12, suffixLinesAfterCursor(defaults.planCompletion(main, line, 4, 2000)));
    assertEquals(
        0, suffixLinesAfterCursor(withProperties("0", null).planCompletion(main, line, 4, 2000)));
    ContextBudget wide = withProperties("40", "0.5");
    assertEquals(40, suffixLinesAfterCursor(wide.planCompletion(main, line, 4, 2000)));
    IllegalArgumentException bad =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> withProperties("many", null));
    assertTrue(bad.getMessage().contains("-Dcromwell.suffixLines=many"), bad.getMessage());
  }

  @Test
  void prefixShareCanBeOverriddenForMeasurement() {
    WorkspaceIndex index = f.index();
    ContextBudget defaults =
        new ContextBudget(index, TokenCounter.approximate(), RelevanceWeights.defaults());
    int normal =
        defaults
            .planCompletion(main, 1000, 0, 2000)
            .piece(PlanPiece.Kind.PREFIX)
            .orElseThrow()
            .tokens();
    try {
      System.setProperty("cromwell.prefixShare", "0.2");
      ContextBudget small =
          new ContextBudget(index, TokenCounter.approximate(), RelevanceWeights.defaults());
      int cut =
          small
              .planCompletion(main, 1000, 0, 2000)
              .piece(PlanPiece.Kind.PREFIX)
              .orElseThrow()
              .tokens();
      assertTrue(normal > 800 && cut <= 400, normal + " then " + cut + " prefix tokens");
    } finally {
      System.clearProperty("cromwell.prefixShare");
    }
  }

  private ContextBudget withProperties(String lines, String share) {
    try {
      if (lines != null) {
        System.setProperty("cromwell.suffixLines", lines);
      }
      if (share != null) {
        System.setProperty("cromwell.suffixShare", share);
      }
      return new ContextBudget(f.index(), TokenCounter.approximate(), RelevanceWeights.defaults());
    } finally {
      System.clearProperty("cromwell.suffixLines");
      System.clearProperty("cromwell.suffixShare");
    }
  }

  private static long suffixLinesAfterCursor(PromptPlan plan) {
    return plan.piece(PlanPiece.Kind.SUFFIX)
        .orElseThrow()
        .text()
        .chars()
        .filter(c -> c == '\n')
        .count();
  }

  @Test
  void snippetsAndFilesComeFromRelatedCodeAndPlansAreDeterministic() {
    WorkspaceIndex index = f.index();
    ContextBudget budget =
        new ContextBudget(index, TokenCounter.approximate(), RelevanceWeights.defaults());
    PromptPlan plan = budget.planCompletion(main, 1205, 0, 2500);
    List<String> others =
        plan.pieces().stream()
            .filter(p -> p.kind() == PlanPiece.Kind.SNIPPET || p.kind() == PlanPiece.Kind.FILE)
            .map(PlanPiece::path)
            .toList();
    assertTrue(!others.isEmpty() && others.get(0).equals("shapes.py"), others.toString());
    assertTrue(!others.contains("notes.md"), others.toString());
    assertTrue(plan.pieces().stream().allMatch(p -> !p.reason().isBlank()));
    assertEquals(plan, budget.planCompletion(main, 1205, 0, 2500), "same inputs, same plan");
  }

  @Test
  void rankingPutsAnImportedFileAboveAnUnrelatedOne() {
    WorkspaceIndex index = f.index();
    Relevance relevance =
        new Relevance(index, RelevanceWeights.defaults(), TokenCounter.approximate());
    List<ScoredFile> ranked = relevance.rank(index.file(main).orElseThrow(), java.util.Map.of());
    List<String> order = ranked.stream().map(s -> s.file().relativePath()).toList();
    assertTrue(order.indexOf("shapes.py") < order.indexOf("unrelated.py"), order.toString());
    assertTrue(order.indexOf("geometry.py") < order.indexOf("unrelated.py"), order.toString());
    assertTrue(
        ranked.get(0).reasons().stream().anyMatch(r -> r.contains("imported")),
        ranked.get(0).reasons().toString());
  }

  @Test
  void editPlansBringTheDefinitionsTheRegionUses() {
    WorkspaceIndex index = f.index();
    ContextBudget budget =
        new ContextBudget(index, TokenCounter.approximate(), RelevanceWeights.defaults());
    PromptPlan plan = budget.planEdit(main, 1203, 1206, 1500);
    PlanPiece file = plan.piece(PlanPiece.Kind.EDIT_FILE).orElseThrow();
    assertTrue(file.startLine() <= 1203 && file.endLine() >= 1206);
    List<String> defined =
        plan.pieces(PlanPiece.Kind.DEFINITION).stream().map(PlanPiece::reason).toList();
    assertTrue(defined.stream().anyMatch(r -> r.contains("area_of_circle")), defined.toString());
    assertTrue(defined.stream().anyMatch(r -> r.contains("Square")), defined.toString());
    assertTrue(plan.totalTokens() <= 1500);
  }
}
