package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The first suggestion in a document just opened, on the real SmolLM2 loaded and warmed up as the
 * server does it: a real file of this repository, long enough that its whole prompt (1,536 tokens)
 * takes longer to compute than the time limit allows on this machine. The suggestion must still be
 * a whole one, not cut by the time limit (it comes from the lines around the cursor), and the whole
 * prompt must then be computed in the background, so that later requests take it from the cache.
 */
class FirstSuggestionRealModelTest {
  private static final Path FILE = Path.of("../training/cromwell_train/curate.py");
  private static final String LINE = "        os.replace(";

  @Test
  void theFirstSuggestionIsWholeAndLaterOnesUseTheWholePromptFromTheCache() throws Exception {
    assertTrue(
        Files.isRegularFile(FILE), FILE.toAbsolutePath() + " is missing (a repository file)");
    String file = Files.readString(FILE);
    int at = file.indexOf(LINE);
    assertTrue(at > 0, FILE + " no longer has \"" + LINE + "\"; pick another line");
    int cursor = at + LINE.length();
    String text = file.substring(0, cursor) + file.substring(file.indexOf('\n', cursor));
    int line = (int) text.substring(0, cursor).chars().filter(c -> c == '\n').count();
    try (LspHarness h =
        RealModelServer.start(
            "threads", "2", "contextBudget", "1536", "timeLimitMs", "3000", "maxTokens", "24")) {
      String uri = "untitled:curate.py";
      LspServerTest.open(h, uri, "python", text);
      var items = LspServerTest.inline(h, uri, line, LINE.length()).get(120, TimeUnit.SECONDS);
      Map<?, ?> stats = stats(h);
      String first = items.isEmpty() ? "" : items.get(0).getInsertText().getLeft();
      assertFalse(first.isBlank(), "no first suggestion: " + stats);
      assertNotEquals("time_limit", stats.get("lastStop"), "cut by the time limit: " + first);

      // The whole prompt is computed while nothing is asked; each request stops that at its next
      // chunk, and it resumes after the answer, so asking again and again still gets there.
      double reused = 0;
      double computed = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (System.nanoTime() < deadline) {
        Thread.sleep(1000);
        LspServerTest.inline(h, uri, line, LINE.length()).get(120, TimeUnit.SECONDS);
        stats = stats(h);
        reused = (Double) stats.get("lastReused");
        computed = (Double) stats.get("lastComputed");
        if (reused >= 1000 && computed <= 8) {
          break;
        }
      }
      assertTrue(
          reused >= 1000 && computed <= 8,
          "later requests should take the whole prompt from the cache: " + stats);
    }
  }

  private static Map<?, ?> stats(LspHarness h) throws Exception {
    return (Map<?, ?>) h.server.status().get(30, TimeUnit.SECONDS).get("stats");
  }
}
