package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.cromwell.testing.RealModels;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.CodeActionContext;
import org.eclipse.lsp4j.CodeActionParams;
import org.eclipse.lsp4j.DidChangeTextDocumentParams;
import org.eclipse.lsp4j.DidCloseTextDocumentParams;
import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.InlineCompletionItem;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.TextDocumentContentChangeEvent;
import org.eclipse.lsp4j.TextDocumentIdentifier;
import org.eclipse.lsp4j.TextDocumentItem;
import org.eclipse.lsp4j.VersionedTextDocumentIdentifier;
import org.junit.jupiter.api.Test;

/**
 * The LSP soak (issue 18): seeded random streams of didOpen, incremental didChange (UTF-16 ranges
 * over surrogate pairs, CRLF and emoji), inline completions, $/cancelRequest, code actions and
 * didClose go to the real server over OS pipes. The test keeps its own model of every document's
 * text; after every step the server's text must equal it, and memory must stay flat.
 *
 * <p>{@code -Dcromwell.soakSeconds=600} makes it the 10-minute benchmark (15 s by default); {@code
 * -Dcromwell.soakSeed=N} replays a stream; {@code -Dcromwell.soakHistograms=DIR} writes the heap's
 * class histogram (live objects, after a full GC) there at the baseline, after the stub phase and
 * at the end, to show what memory holds.
 */
class LspSoakTest {
  static final int SECONDS = Integer.getInteger("cromwell.soakSeconds", 15);
  static final long SEED = Long.getLong("cromwell.soakSeed", 18L);

  /** Pieces inserted text is made of: BMP, astral (surrogate pairs), CRLF, LF, tabs. */
  static final String[] PIECES = {
    "a",
    "xyz",
    "def f(x):",
    "    ",
    "\t",
    "é",
    "中文",
    "😀",
    "👍🏽",
    "🎉x",
    "𝕏",
    "\r\n",
    "\n",
    "\n",
    "()",
    "return ",
    "\"\"\"",
    "",
    "é\u0301"
  };

  /** Growth of heap used after GC that the stub phase may show (the heap itself is ~1 GB). */
  static final long HEAP_GROWTH_BOUND = 24L << 20;

  @Test
  void documentsNeverDivergeAndMemoryStaysFlat() throws Exception {
    long stubSeconds = Math.max(5, SECONDS * 5L / 6);
    long realSeconds = Math.max(3, SECONDS - stubSeconds);

    StubCompleter stub = new StubCompleter("(a, b)\n    more");
    Stats stubStats;
    long heapStart;
    long heapEnd;
    CromwellLanguageServer impl = new CromwellLanguageServer(LspServerTest.config(0), c -> stub);
    try (LspHarness h = new LspHarness(impl)) {
      h.initialize(null, null, null); // UTF-16 positions
      h.awaitStatus("modelState", "ready");
      Soak soak = new Soak(h, impl, new Random(SEED), stub);
      soak.run(2_000); // warm up class loading and JIT before the baseline
      // The stub records every prompt (test-side memory: ~20 MB over the 10-minute soak), which
      // must not count as the server's growth.
      stub.prompts.clear();
      heapStart = heapUsedAfterGc();
      histogram("start");
      soak.run(stubSeconds * 1000 - 2_000);
      soak.closeAll();
      stub.prompts.clear();
      heapEnd = heapUsedAfterGc();
      histogram("after-stub-phase");
      stubStats = soak.stats;
      assertEquals(
          0,
          ((Number) h.server.status().get(10, TimeUnit.SECONDS).get("openDocuments")).intValue());
    }

    Stats realStats;
    JsonObject settings = new JsonObject();
    settings.addProperty("model", RealModels.smollm2().toString());
    settings.addProperty("threads", 1);
    settings.addProperty("maxTokens", 8);
    settings.addProperty("debounceMs", 0);
    settings.addProperty("loadMode", "mmap");
    CromwellLanguageServer real = CromwellLanguageServer.withModels(ServerConfig.defaults());
    try (LspHarness h = new LspHarness(real)) {
      h.initialize(settings, null, null);
      ModelDownloadLspTest.await(h, "ready");
      Soak soak = new Soak(h, real, new Random(SEED + 1), null);
      soak.run(realSeconds * 1000);
      soak.closeAll();
      realStats = soak.stats;
    }
    histogram("end");

    String report =
        String.format(
            "soak seed=%d seconds=%d%n stub: %s%n real smollm2: %s%n heap used after GC:"
                + " start=%.1f MB end=%.1f MB growth=%.1f MB (bound %.0f MB)",
            SEED,
            SECONDS,
            stubStats,
            realStats,
            heapStart / 1e6,
            heapEnd / 1e6,
            (heapEnd - heapStart) / 1e6,
            HEAP_GROWTH_BOUND / 1e6);
    System.out.println(report);
    assertTrue(stubStats.checks > 100, "the stub soak ran too few steps: " + report);
    assertTrue(realStats.completed > 0, "no real completion finished: " + report);
    assertTrue(stubStats.completed > 0 && stubStats.cancelled > 0, report);
    assertTrue(heapEnd - heapStart < HEAP_GROWTH_BOUND, "memory grew: " + report);
  }

  /**
   * Regression for what the soak found at seed 18: a completion still waiting (debounce or model
   * queue) when its document closed looked up the document's removed request counter, threw, and
   * was never answered (or answered -32603). It must be answered, empty.
   */
  @Test
  void aCompletionWhoseDocumentClosesMeanwhileIsAnsweredEmpty() throws Exception {
    StubCompleter stub = new StubCompleter("()");
    try (LspHarness h = new LspHarness(LspServerTest.config(200), c -> stub)) {
      h.initialize(null, null, null);
      h.awaitStatus("modelState", "ready");
      String uri = "untitled:closing.py";
      LspServerTest.open(h, uri, "python", "print\n");
      CompletableFuture<List<InlineCompletionItem>> f = LspServerTest.inline(h, uri, 0, 5);
      h.server
          .getTextDocumentService()
          .didClose(new DidCloseTextDocumentParams(new TextDocumentIdentifier(uri)));
      assertEquals(List.of(), f.get(10, TimeUnit.SECONDS));
      // The server still answers for a document reopened under the same URI.
      LspServerTest.open(h, uri, "python", "print\n");
      assertEquals(1, LspServerTest.inline(h, uri, 0, 5).get(10, TimeUnit.SECONDS).size());
    }
  }

  /**
   * Regression for what the 10-minute soak found on the real SmolLM2 (seed 19): a prompt of one
   * token ("x" with the cursor after it) was token-healed down to nothing, and prefill refused the
   * empty prompt with -32603. It must be answered.
   */
  @Test
  void aOneTokenPromptOnTheRealModelIsAnswered() throws Exception {
    JsonObject settings = new JsonObject();
    settings.addProperty("model", RealModels.smollm2().toString());
    settings.addProperty("threads", 1);
    settings.addProperty("maxTokens", 4);
    settings.addProperty("debounceMs", 0);
    try (LspHarness h =
        new LspHarness(CromwellLanguageServer.withModels(ServerConfig.defaults()))) {
      h.initialize(settings, null, null);
      ModelDownloadLspTest.await(h, "ready");
      LspServerTest.open(h, "untitled:x.py", "python", "x");
      LspServerTest.inline(h, "untitled:x.py", 0, 1).get(60, TimeUnit.SECONDS);
    }
  }

  /** Writes {@code GC.class_histogram} (as {@code jcmd} prints it) when asked for. */
  private static void histogram(String name) throws Exception {
    String dir = System.getProperty("cromwell.soakHistograms");
    if (dir == null) {
      return;
    }
    Object text =
        ManagementFactory.getPlatformMBeanServer()
            .invoke(
                new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
                "gcClassHistogram",
                new Object[] {new String[0]},
                new String[] {String[].class.getName()});
    java.nio.file.Files.writeString(
        java.nio.file.Path.of(dir, "histogram-" + name + ".txt"), String.valueOf(text));
  }

  static long heapUsedAfterGc() throws InterruptedException {
    var memory = ManagementFactory.getMemoryMXBean();
    long least = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
      least = Math.min(least, memory.getHeapMemoryUsage().getUsed());
    }
    return least;
  }

  /** Counts for the report. */
  static final class Stats {
    long opens, closes, changes, edits, fullReplaces, completions, completed, cancelled;
    long codeActions, checks, divergences;

    @Override
    public String toString() {
      return String.format(
          "steps=%d opens=%d changes=%d (edits=%d, full=%d) closes=%d inlineCompletions=%d"
              + " (answered=%d, cancelled=%d) codeActions=%d divergences=%d",
          checks,
          opens,
          changes,
          edits,
          fullReplaces,
          closes,
          completions,
          completed,
          cancelled,
          codeActions,
          divergences);
    }
  }

  /** One client's random stream against one server, with the reference texts. */
  static final class Soak {
    final LspHarness h;
    final CromwellLanguageServer impl;
    final Random rnd;
    final StubCompleter stub;
    final Stats stats = new Stats();

    /** The editor's view: uri → text and version. */
    final Map<String, StringBuilder> texts = new LinkedHashMap<>();

    final Map<String, Integer> versions = new LinkedHashMap<>();
    final List<CompletableFuture<List<InlineCompletionItem>>> pending = new ArrayList<>();
    int nextUri;

    Soak(LspHarness h, CromwellLanguageServer impl, Random rnd, StubCompleter stub) {
      this.h = h;
      this.impl = impl;
      this.rnd = rnd;
      this.stub = stub;
    }

    void run(long millis) throws Exception {
      long end = System.currentTimeMillis() + millis;
      while (System.currentTimeMillis() < end) {
        step();
        check();
      }
      drain();
    }

    void step() throws Exception {
      int roll = rnd.nextInt(100);
      if (texts.isEmpty() || (roll < 4 && texts.size() < 4)) {
        open();
      } else if (roll < 7) {
        close(any());
      } else if (roll < 70) {
        change(any());
      } else if (roll < 90) {
        complete(any());
      } else {
        codeAction(any());
      }
      if (pending.size() > 8) {
        drain();
      }
    }

    String any() {
      List<String> uris = new ArrayList<>(texts.keySet());
      return uris.get(rnd.nextInt(uris.size()));
    }

    void open() {
      String uri = "file:///soak/doc" + (nextUri++ % 6) + ".py";
      if (texts.containsKey(uri)) {
        return;
      }
      String text = randomText(rnd.nextInt(40));
      texts.put(uri, new StringBuilder(text));
      versions.put(uri, 1);
      h.server
          .getTextDocumentService()
          .didOpen(new DidOpenTextDocumentParams(new TextDocumentItem(uri, "python", 1, text)));
      stats.opens++;
    }

    void close(String uri) {
      texts.remove(uri);
      versions.remove(uri);
      h.server
          .getTextDocumentService()
          .didClose(new DidCloseTextDocumentParams(new TextDocumentIdentifier(uri)));
      stats.closes++;
    }

    void closeAll() throws Exception {
      for (String uri : new ArrayList<>(texts.keySet())) {
        close(uri);
      }
      check();
    }

    /** One didChange of 1–3 changes, applied in order to the model as the spec says. */
    void change(String uri) {
      StringBuilder model = texts.get(uri);
      List<TextDocumentContentChangeEvent> changes = new ArrayList<>();
      int n = 1 + rnd.nextInt(3);
      for (int i = 0; i < n; i++) {
        if (rnd.nextInt(50) == 0) {
          String text = randomText(rnd.nextInt(30));
          model.setLength(0);
          model.append(text);
          changes.add(new TextDocumentContentChangeEvent(text));
          stats.fullReplaces++;
          continue;
        }
        Position a = randomPosition(model);
        Position b = rnd.nextInt(3) == 0 ? a : randomPosition(model);
        int from = Utf16.offset(model, a);
        int to = Utf16.offset(model, b);
        if (to < from) {
          Position p = a;
          a = b;
          b = p;
          int t = from;
          from = to;
          to = t;
        }
        // Keep documents small: delete more than insert once they grow.
        String insert = model.length() > 3000 ? "" : randomText(rnd.nextInt(6));
        model.replace(from, to, insert);
        changes.add(new TextDocumentContentChangeEvent(new Range(a, b), insert));
        stats.edits++;
      }
      int version = versions.merge(uri, 1, Integer::sum);
      h.server
          .getTextDocumentService()
          .didChange(
              new DidChangeTextDocumentParams(
                  new VersionedTextDocumentIdentifier(uri, version), changes));
      stats.changes++;
    }

    void complete(String uri) {
      StringBuilder model = texts.get(uri);
      Position at = randomPosition(model);
      if (stub != null) {
        stub.delayMillis = rnd.nextInt(4) == 0 ? 20 + rnd.nextInt(40) : 0;
      }
      CompletableFuture<List<InlineCompletionItem>> f =
          LspServerTest.inline(h, uri, at.getLine(), at.getCharacter());
      stats.completions++;
      if (rnd.nextInt(3) == 0) {
        f.cancel(true); // LSP4J sends $/cancelRequest for the remote request
      }
      pending.add(f);
    }

    void codeAction(String uri) throws Exception {
      StringBuilder model = texts.get(uri);
      Position a = randomPosition(model);
      var actions =
          h.server
              .getTextDocumentService()
              .codeAction(
                  new CodeActionParams(
                      new TextDocumentIdentifier(uri), new Range(a, a), new CodeActionContext()))
              .get(30, TimeUnit.SECONDS);
      stats.codeActions++;
      assertTrue(actions.size() > 1, "code actions for " + uri + ": " + actions);
    }

    /** Every completion answers or is cancelled; none goes silent. */
    void drain() throws Exception {
      for (CompletableFuture<List<InlineCompletionItem>> f : pending) {
        try {
          f.get(120, TimeUnit.SECONDS);
          stats.completed++;
        } catch (CancellationException e) {
          stats.cancelled++;
        }
      }
      pending.clear();
    }

    /** A status round trip orders this after the notifications sent; then compare texts. */
    void check() throws Exception {
      Map<String, Object> status = h.server.status().get(30, TimeUnit.SECONDS);
      stats.checks++;
      assertEquals(texts.size(), ((Number) status.get("openDocuments")).intValue(), "open docs");
      for (Map.Entry<String, StringBuilder> e : texts.entrySet()) {
        OpenDocument d = impl.documents().get(e.getKey()).orElseThrow();
        String expected = e.getValue().toString();
        if (!expected.equals(d.text().text()) || d.version() != versions.get(e.getKey())) {
          stats.divergences++;
          throw new AssertionError(
              "seed "
                  + SEED
                  + ", step "
                  + stats.checks
                  + ": the server's "
                  + e.getKey()
                  + " v"
                  + d.version()
                  + " diverged from the editor's v"
                  + versions.get(e.getKey())
                  + "\nexpected: "
                  + escape(expected)
                  + "\nserver:   "
                  + escape(d.text().text()));
        }
      }
    }

    String randomText(int pieces) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < pieces; i++) {
        b.append(PIECES[rnd.nextInt(PIECES.length)]);
      }
      return b.toString();
    }

    /**
     * A position on a code-point boundary of a line's content (before its CR LF); one in ten lies
     * past the line's end, which the server must clamp to it.
     */
    Position randomPosition(StringBuilder model) {
      List<int[]> lines = Utf16.lines(model);
      int line = rnd.nextInt(lines.size());
      int[] l = lines.get(line);
      if (rnd.nextInt(10) == 0) {
        return new Position(line, (l[1] - l[0]) + rnd.nextInt(5));
      }
      List<Integer> boundaries = new ArrayList<>();
      for (int i = l[0]; i <= l[1]; i++) {
        if (i == l[0] || i == l[1] || !Character.isLowSurrogate(model.charAt(i))) {
          boundaries.add(i - l[0]);
        }
      }
      return new Position(line, boundaries.get(rnd.nextInt(boundaries.size())));
    }
  }

  /** The editor's side of LSP positions, written here independently of the server's. */
  static final class Utf16 {
    /** [start, contentEnd) of each line; a line ends at LF, a CR before it is not content. */
    static List<int[]> lines(CharSequence s) {
      List<int[]> lines = new ArrayList<>();
      int start = 0;
      for (int i = 0; i < s.length(); i++) {
        if (s.charAt(i) == '\n') {
          int end = i > start && s.charAt(i - 1) == '\r' ? i - 1 : i;
          lines.add(new int[] {start, end});
          start = i + 1;
        }
      }
      lines.add(new int[] {start, s.length()});
      return lines;
    }

    static int offset(CharSequence s, Position p) {
      int[] l = lines(s).get(p.getLine());
      return Math.min(l[0] + p.getCharacter(), l[1]);
    }
  }

  static String escape(String s) {
    return s.replace("\r", "\\r").replace("\n", "\\n\n");
  }
}
