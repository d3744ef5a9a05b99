package dev.cromwell.benchmarks.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.cromwell.engine.RealModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every benchmark and mode on 3 problems with the real SmolLM2, so the harness cannot rot: each
 * mode must produce its tasks, and every failure must carry a reason.
 */
class EvalSmokeTest {
  @Test
  void everyModeRunsOnThreeProblems() throws Exception {
    // Kept under target/ so that the last run's table can be read after the build.
    Path out = Path.of("target", "eval-smoke");
    Path model = RealModels.smollm2();
    JsonObject root =
        run(out, "-m", model.toString(), "--limit", "3", "--fim-lines", "1", "--max-tokens", "96");
    Map<String, Integer> tasks = new HashMap<>();
    for (JsonElement e : root.getAsJsonArray("results")) {
      JsonObject r = e.getAsJsonObject();
      tasks.put(
          r.get("bench").getAsString() + "/" + r.get("mode").getAsString(),
          r.get("tasks").getAsInt());
      for (JsonElement o : r.getAsJsonArray("outcomes")) {
        JsonObject outcome = o.getAsJsonObject();
        assertTrue(
            outcome.get("passed").getAsBoolean() || !outcome.get("reason").getAsString().isBlank(),
            outcome.toString());
      }
    }
    for (String mode :
        new String[] {
          "humaneval/completion",
          "humaneval/editor",
          "humaneval/chat",
          "fim/single-raw",
          "fim/multi-raw",
          "fim/single-editor",
          "fim/single-midline-raw",
          "fim/single-midline",
          "fim/multi-editor",
          "edit/docstring"
        }) {
      assertEquals(3, tasks.get(mode), mode + " in " + tasks);
    }
    assertTrue(tasks.getOrDefault("edit/fix", 0) >= 1, "fix tasks: " + tasks);
    // Every mode the name check accepts ran (fim-repo has its own test below), and no other.
    Set<String> named = new TreeSet<>();
    Eval.MODES.forEach(
        (bench, modes) -> {
          if (!bench.equals("fim-repo")) {
            modes.forEach(mode -> named.add(bench + "/" + mode));
          }
          named.remove("edit/fix-correct"); // only when named: its own test below
        });
    assertEquals(named, new TreeSet<>(tasks.keySet()));
    assertTrue(
        Files.readString(out.resolve("results.md")).contains("| humaneval | completion | 3 |"));
  }

  @Test
  void fixOnCorrectCodeRunsWhenNamedOnThreeTasks() throws Exception {
    Path out = Path.of("target", "eval-smoke-fix-correct");
    JsonObject root =
        run(
            out,
            "-m",
            RealModels.smollm2().toString(),
            "--bench",
            "edit",
            "--modes",
            "fix-correct",
            "--limit",
            "3",
            "--max-tokens",
            "48");
    JsonArray results = root.getAsJsonArray("results");
    assertEquals(1, results.size(), root.toString());
    JsonObject result = results.get(0).getAsJsonObject();
    assertEquals(
        "edit/fix-correct",
        result.get("bench").getAsString() + "/" + result.get("mode").getAsString());
    assertEquals(3, result.get("tasks").getAsInt());
    for (JsonElement o : result.getAsJsonArray("outcomes")) {
      JsonObject outcome = o.getAsJsonObject();
      assertTrue(outcome.get("id").getAsString().endsWith(" correct"), outcome.toString());
      // Unchanged (exact) files pass: the canonical solutions pass their own tests.
      assertTrue(
          !outcome.get("exact").getAsBoolean() || outcome.get("passed").getAsBoolean(),
          outcome.toString());
    }
  }

  @Test
  void crossFileFimRunsOnThreeTasksOfARealProject() throws Exception {
    Path out = Path.of("target", "eval-smoke-repo");
    JsonObject root =
        run(
            out,
            "-m",
            RealModels.smollm2().toString(),
            "--bench",
            "fim-repo",
            "--limit",
            "3",
            "--fim-lines",
            "1",
            "--max-tokens",
            "48",
            "--repo",
            "../training");
    JsonObject result = root.getAsJsonArray("results").get(0).getAsJsonObject();
    assertEquals(
        "fim-repo/repo-editor",
        result.get("bench").getAsString() + "/" + result.get("mode").getAsString());
    assertEquals(3, result.get("tasks").getAsInt());
    assertTrue(
        root.getAsJsonObject("meta").get("repo").getAsString().contains("files"), root.toString());
  }

  /**
   * Runs bin/eval with {@code args} into {@code out}, on the shared HumanEval; its results.json.
   */
  private static JsonObject run(Path out, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--humaneval",
            "../../shared/testdata/humaneval/HumanEval.jsonl.gz",
            "--out",
            out.toString()));
    assertEquals(0, new CommandLine(new Eval()).execute(all.toArray(String[]::new)));
    return JsonParser.parseString(Files.readString(out.resolve("results.json"))).getAsJsonObject();
  }
}
