package dev.cromwell.benchmarks;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.DidChangeTextDocumentParams;
import org.eclipse.lsp4j.InlineCompletionItem;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.TextDocumentContentChangeEvent;
import org.eclipse.lsp4j.VersionedTextDocumentIdentifier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What a user of the editor waits for, measured through the real editor path: the LSP server
 * started as a process ({@code bin/cromwell lsp}) and spoken to over its stdin/stdout, with this
 * repository as the workspace. It reports, in one JSON line on stdout (and readably on stderr):
 *
 * <ul>
 *   <li>{@code initializeMs}: process start to the {@code initialize} answer;
 *   <li>{@code readyMs}: that answer to the model being ready ({@code cromwell/status});
 *   <li>{@code firstMs}, {@code firstChars}, {@code firstStop}: the first suggestion after ready (a
 *       real file opened mid-line), its length and why it ended ({@code deadline_lines}: the time
 *       limit ended it at a whole line; {@code deadline_word} or {@code time_limit}: cut);
 *   <li>{@code p50}, {@code p95}: keystroke → suggestion while regions of real files (Python and
 *       Java) are typed again, over the keystrokes after which the user pauses; a suggestion that
 *       had not come when the next keystroke came counts as infinitely late;
 *   <li>{@code typedAhead}: requests (of all keystrokes) the server answered with the rest of a
 *       suggestion the user was typing out, without the model (its status counter; 0 before it).
 * </ul>
 */
@Command(
    name = "typing-latency",
    mixinStandardHelpOptions = true,
    description = "Editor latency through the LSP server process.")
public final class TypingLatencyBench implements Callable<Integer> {
  @Option(
      names = {"-m", "--model"},
      required = true,
      description = "GGUF model (a FIM-capable one)")
  Path model;

  @Option(
      names = {"-t", "--threads"},
      defaultValue = "2")
  int threads;

  @Option(
      names = "--server",
      defaultValue = "bin/cromwell lsp",
      description = "the server's command line, split at spaces (default: ${DEFAULT-VALUE})")
  String serverCommand;

  @Option(
      names = "--workspace",
      defaultValue = ".",
      description = "the workspace folder, where the typed files are (default: this repository)")
  Path workspace;

  @Option(
      names = "--type",
      split = ",",
      defaultValue =
          "training/cromwell_train/fim.py:36:7,"
              + "lsp-server/src/main/java/dev/cromwell/lsp/CompletionContext.java:56:15",
      description = "regions typed again, FILE:FIRST_LINE:LINES (default: ${DEFAULT-VALUE})")
  List<String> regions;

  @Option(names = "--key-ms", defaultValue = "80", description = "time between keystrokes")
  int keyMillis;

  @Option(
      names = "--pause-ms",
      defaultValue = "2000",
      description = "pause where the user reads a suggestion")
  int pauseMillis;

  @Option(names = "--label", defaultValue = "", description = "a name for this run's JSON line")
  String label;

  @Option(
      names = "--each",
      description =
          "print every pause on stderr (its place, the line typed so far, the latency), to tie the"
              + " slow ones to the server's -Dcromwell.timing=true lines, which come just before")
  boolean each;

  @Option(
      names = "--set",
      split = ",",
      description =
          "server settings KEY=VALUE sent with initialize, e.g. timeLimitMs=5000 to see the model's"
              + " whole first suggestion; numbers are sent as numbers")
  List<String> extraSettings = List.of();

  /** The first suggestion after the model is ready. */
  record First(double millis, int chars, String stop, String text) {}

  @Override
  public Integer call() throws Exception {
    JsonObject settings = new JsonObject();
    settings.addProperty("model", model.toAbsolutePath().toString());
    settings.addProperty("threads", threads);
    for (String kv : extraSettings) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new CommandLine.ParameterException(
            new CommandLine(this), "--set wants KEY=VALUE, got " + kv);
      }
      String key = kv.substring(0, eq);
      String value = kv.substring(eq + 1);
      if (value.matches("-?\\d{1,18}")) {
        settings.addProperty(key, Long.parseLong(value));
      } else if (value.equals("true") || value.equals("false")) {
        settings.addProperty(key, Boolean.parseBoolean(value));
      } else {
        settings.addProperty(key, value);
      }
    }
    List<TypingScript> scripts = new ArrayList<>();
    for (String r : regions) {
      scripts.add(TypingScript.of(workspace, r));
    }
    List<String> command = List.of(serverCommand.trim().split("\\s+"));
    try (ServerProcess p = ServerProcess.start(command, settings, workspace)) {
      double initialize = p.initializeMillis();
      double ready = p.awaitReadyMillis();
      First first = null;
      List<Double> latencies = new ArrayList<>();
      int[] empty = new int[1];
      for (TypingScript script : scripts) {
        First f = type(p, script, latencies, empty);
        if (first == null) {
          first = f;
        }
      }
      long typedAhead = statsCount(p, "typedAhead");
      latencies.sort(null);
      double p50 = percentile(latencies, 0.50);
      double p95 = percentile(latencies, 0.95);
      System.err.printf(
          Locale.ROOT,
          "initialize %.0f ms after process start; ready %.0f ms after initialize;%n"
              + "first suggestion %.0f ms, %d chars (%s): %s%n"
              + "keystroke -> suggestion over %d pauses: p50 %s ms, p95 %s ms (%d empty);"
              + " %d requests answered from a suggestion typed out%n",
          initialize,
          ready,
          first.millis,
          first.chars,
          first.stop,
          first.text.replace("\n", "\\n"),
          latencies.size(),
          ms(p50),
          ms(p95),
          empty[0],
          typedAhead);
      JsonObject out = new JsonObject();
      out.addProperty("label", label);
      out.addProperty("initializeMs", initialize);
      out.addProperty("readyMs", ready);
      out.addProperty("firstMs", first.millis);
      out.addProperty("firstChars", first.chars);
      out.addProperty("firstStop", first.stop);
      out.addProperty("p50", p50);
      out.addProperty("p95", p95);
      out.addProperty("pauses", latencies.size());
      out.addProperty("empty", empty[0]);
      out.addProperty("typedAhead", typedAhead);
      out.addProperty("load1", Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
      System.out.println(out);
    }
    return 0;
  }

  /**
   * Opens {@code script}'s file, asks for the suggestion at its cursor and waits for it (returned),
   * then types the rest, adding the latency of every paused keystroke to {@code latencies}.
   */
  private First type(ServerProcess p, TypingScript script, List<Double> latencies, int[] empty)
      throws Exception {
    LspClient client = p.client();
    String uri = workspace.resolve(script.path()).toAbsolutePath().normalize().toUri().toString();
    String language = script.path().toString().endsWith(".py") ? "python" : "java";
    client.open(uri, language, script.opened());
    StringBuilder text = new StringBuilder(script.opened());
    int cursor = script.start();
    long asked = System.nanoTime();
    List<InlineCompletionItem> items =
        client.inline(uri, LspClient.position(text.toString(), cursor)).get(5, TimeUnit.MINUTES);
    double firstMillis = (System.nanoTime() - asked) / 1e6;
    String suggestion = items.isEmpty() ? "" : items.get(0).getInsertText().getLeft();
    First first = new First(firstMillis, suggestion.length(), lastStop(p), suggestion);
    int version = 1;
    List<CompletableFuture<?>> pending = new ArrayList<>();
    for (int i = 0; i < script.typed().length(); i++) {
      char c = script.typed().charAt(i);
      Position at = LspClient.position(text.toString(), cursor);
      text.insert(cursor, c);
      cursor++;
      long sent = System.nanoTime();
      client
          .server()
          .getTextDocumentService()
          .didChange(
              new DidChangeTextDocumentParams(
                  new VersionedTextDocumentIdentifier(uri, ++version),
                  List.of(
                      new TextDocumentContentChangeEvent(new Range(at, at), String.valueOf(c)))));
      CompletableFuture<List<InlineCompletionItem>> answer =
          client.inline(uri, LspClient.position(text.toString(), cursor));
      pending.add(answer);
      if (script.pauses()[i]) {
        // What the user sees: the answer to this keystroke, if it comes before the next one.
        try {
          List<InlineCompletionItem> got = answer.get(pauseMillis, TimeUnit.MILLISECONDS);
          double millis = (System.nanoTime() - sent) / 1e6;
          latencies.add(millis);
          if (got.isEmpty()) {
            empty[0]++;
          }
          if (each) {
            printPause(text, cursor, millis, got);
          }
          Thread.sleep(Math.max(0, pauseMillis - (long) millis));
        } catch (java.util.concurrent.TimeoutException late) {
          latencies.add(Double.POSITIVE_INFINITY);
          if (each) {
            printPause(text, cursor, Double.POSITIVE_INFINITY, List.of());
          }
        }
      } else {
        Thread.sleep(keyMillis);
      }
    }
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
    client.close(uri);
    return first;
  }

  /** One pause for {@code --each}: line:column, the cursor line up to the cursor, the latency. */
  private static void printPause(
      CharSequence text, int cursor, double millis, List<InlineCompletionItem> got) {
    String before = text.subSequence(0, cursor).toString();
    int lineStart = before.lastIndexOf('\n') + 1;
    int line = (int) before.chars().filter(ch -> ch == '\n').count();
    String suggestion = got.isEmpty() ? "" : got.get(0).getInsertText().getLeft();
    System.err.printf(
        Locale.ROOT,
        "pause %d:%d %s ms after [%s] -> [%s]%n",
        line + 1,
        cursor - lineStart + 1,
        ms(millis),
        before.substring(lineStart),
        suggestion.replace("\n", "\\n"));
  }

  /** Why the server's last completion ended, if it says ("?" for a server that does not). */
  private static String lastStop(ServerProcess p) throws Exception {
    Object stats = p.status().get("stats");
    if (stats instanceof Map<?, ?> m && m.get("lastStop") instanceof String s) {
      return s;
    }
    return "?";
  }

  /** A counter of the server's completion statistics, 0 for a server without it. */
  private static long statsCount(ServerProcess p, String name) throws Exception {
    Object stats = p.status().get("stats");
    if (stats instanceof Map<?, ?> m && m.get(name) instanceof Number n) {
      return n.longValue();
    }
    return 0;
  }

  private static double percentile(List<Double> sorted, double q) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * q) - 1));
  }

  private static String ms(double v) {
    return Double.isInfinite(v) ? "late" : String.format(Locale.ROOT, "%.0f", v);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new TypingLatencyBench()).execute(args));
  }
}
