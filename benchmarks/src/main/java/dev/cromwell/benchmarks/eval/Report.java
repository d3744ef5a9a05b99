package dev.cromwell.benchmarks.eval;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The results of one evaluation: a JSON file with every task and a markdown table. */
public final class Report {
  /** The outcomes of one mode, per backend ("Cromwell", "llama.cpp"). */
  public record ModeResult(String bench, String mode, Map<String, List<Outcome>> byBackend) {}

  private final Map<String, ModeResult> modes = new LinkedHashMap<>();
  private final JsonObject meta = new JsonObject();

  public void meta(String key, String value) {
    meta.addProperty(key, value);
  }

  public void add(String bench, String mode, String backend, List<Outcome> outcomes) {
    modes
        .computeIfAbsent(
            bench + "/" + mode, k -> new ModeResult(bench, mode, new LinkedHashMap<>()))
        .byBackend()
        .put(backend, outcomes);
  }

  /** Failure reasons of a list of outcomes, normalized (numbers out) and counted. */
  static Map<String, Long> reasons(List<Outcome> outcomes) {
    return outcomes.stream()
        .filter(o -> !o.passed())
        .collect(
            Collectors.groupingBy(o -> normalize(o.reason()), TreeMap::new, Collectors.counting()));
  }

  static String normalize(String reason) {
    String r = reason.replaceAll("\\d+", "N");
    int semicolon = r.indexOf(';');
    if (semicolon > 0) {
      r = r.substring(0, semicolon);
    }
    if (!r.startsWith("refused") && r.contains(":")) {
      r = r.substring(0, r.indexOf(':')); // a Python exception: its class
    }
    return r.length() > 100 ? r.substring(0, 100) : r;
  }

  public String markdown() {
    StringBuilder sb = new StringBuilder();
    boolean llama = modes.values().stream().anyMatch(m -> m.byBackend().containsKey("llama.cpp"));
    sb.append("| Benchmark | Mode | Tasks | Cromwell | exact match |");
    sb.append(llama ? " llama.cpp | Δ tasks |\n" : "\n");
    sb.append("|---|---|---:|---:|---:|").append(llama ? "---:|---:|\n" : "\n");
    for (ModeResult m : modes.values()) {
      List<Outcome> c = m.byBackend().getOrDefault("Cromwell", List.of());
      int passed = (int) c.stream().filter(Outcome::passed).count();
      int exact = (int) c.stream().filter(Outcome::exact).count();
      sb.append("| ")
          .append(m.bench())
          .append(" | ")
          .append(m.mode())
          .append(" | ")
          .append(c.size())
          .append(" | ")
          .append(cell(passed, c.size()))
          .append(" | ")
          // Exact: the file equals the reference (FIM), or came back unchanged (fix-correct).
          .append(
              m.bench().startsWith("fim") || m.mode().equals("fix-correct")
                  ? cell(exact, c.size())
                  : "")
          .append(" |");
      if (llama) {
        List<Outcome> l = m.byBackend().get("llama.cpp");
        if (l == null) {
          sb.append(" — | — |");
        } else {
          int lp = (int) l.stream().filter(Outcome::passed).count();
          sb.append(' ').append(cell(lp, l.size())).append(" | ").append(passed - lp).append(" |");
        }
      }
      sb.append('\n');
    }
    StringBuilder failures = new StringBuilder();
    for (ModeResult m : modes.values()) {
      List<Outcome> c = m.byBackend().getOrDefault("Cromwell", List.of());
      Map<String, Long> r = reasons(c);
      if (!r.isEmpty()) {
        failures.append("- ").append(m.bench()).append('/').append(m.mode()).append(": ");
        failures.append(
            r.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(6)
                .map(e -> e.getValue() + "× " + e.getKey())
                .collect(Collectors.joining("; ")));
        failures.append('\n');
      }
    }
    if (!failures.isEmpty()) {
      sb.append("\nFailures by reason (Cromwell):\n\n").append(failures);
    }
    StringBuilder steps = new StringBuilder();
    for (ModeResult m : modes.values()) {
      String tally = stepTally(m.byBackend().getOrDefault("Cromwell", List.of()));
      if (!tally.isEmpty()) {
        steps.append("- ").append(m.bench()).append('/').append(m.mode()).append(": ");
        steps.append(tally).append('\n');
      }
    }
    if (!steps.isEmpty()) {
      sb.append("\nFix steps beyond the first answer (tasks; passed):\n\n").append(steps);
    }
    return sb.toString();
  }

  /**
   * How many tasks took each kind of fix step ({@link dev.cromwell.edit.FixStep}, by the name its
   * record prints) and how many of those passed, the first answer's own "Suspected" left out; empty
   * when no task took one.
   */
  static String stepTally(List<Outcome> outcomes) {
    Map<String, int[]> byKind = new LinkedHashMap<>();
    for (String kind :
        List.of(
            "SuspectKept",
            "NothingSuspect",
            "AskedAgain",
            "Filled",
            "Repaired",
            "RepairedOverAnswer",
            "NotFilled",
            "LineConfirmed")) {
      for (Outcome o : outcomes) {
        if (o.steps().stream().anyMatch(step -> step.startsWith(kind + "["))) {
          int[] counts = byKind.computeIfAbsent(kind, k -> new int[2]);
          counts[0]++;
          counts[1] += o.passed() ? 1 : 0;
        }
      }
    }
    return byKind.entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue()[0] + " (" + e.getValue()[1] + " passed)")
        .collect(Collectors.joining("; "));
  }

  static String cell(int passed, int total) {
    return total == 0
        ? "—"
        : String.format(Locale.ROOT, "%.1f%% (%d)", 100.0 * passed / total, passed);
  }

  public void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    JsonObject root = new JsonObject();
    root.add("meta", meta);
    JsonArray results = new JsonArray();
    for (ModeResult m : modes.values()) {
      for (var e : m.byBackend().entrySet()) {
        JsonObject o = new JsonObject();
        o.addProperty("bench", m.bench());
        o.addProperty("mode", m.mode());
        o.addProperty("backend", e.getKey());
        o.addProperty("tasks", e.getValue().size());
        o.addProperty("passed", e.getValue().stream().filter(Outcome::passed).count());
        o.addProperty("exact", e.getValue().stream().filter(Outcome::exact).count());
        o.add("reasons", new GsonBuilder().create().toJsonTree(reasons(e.getValue())));
        o.add("outcomes", new GsonBuilder().create().toJsonTree(e.getValue()));
        results.add(o);
      }
    }
    root.add("results", results);
    Files.writeString(
        dir.resolve("results.json"),
        new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(root),
        StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("results.md"), markdown(), StandardCharsets.UTF_8);
  }
}
