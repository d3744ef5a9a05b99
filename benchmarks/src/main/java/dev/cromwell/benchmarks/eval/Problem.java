package dev.cromwell.benchmarks.eval;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** One HumanEval problem, as in {@code HumanEval.jsonl.gz}. */
public record Problem(
    String taskId, String prompt, String canonicalSolution, String test, String entryPoint) {

  /** The problems of a (gzipped) JSON-lines file, in file order. */
  public static List<Problem> load(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          file + " is missing; HumanEval lives in ../shared/testdata/humaneval/HumanEval.jsonl.gz");
    }
    List<Problem> out = new ArrayList<>();
    var raw = Files.newInputStream(file);
    var in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        JsonObject o = JsonParser.parseString(line).getAsJsonObject();
        out.add(
            new Problem(
                o.get("task_id").getAsString(),
                o.get("prompt").getAsString(),
                o.get("canonical_solution").getAsString(),
                o.get("test").getAsString(),
                o.get("entry_point").getAsString()));
      }
    }
    return out;
  }

  /** The number in the task id ("HumanEval/17" is 17). */
  public int number() {
    return Integer.parseInt(taskId.substring(taskId.indexOf('/') + 1));
  }

  /** The reference solution as a whole file. */
  public String solutionFile() {
    return prompt + canonicalSolution;
  }

  /** A program that runs the problem's tests against {@code file} (a whole module). */
  public String testProgram(String file) {
    return file + "\n\n" + test + "\n\ncheck(" + entryPoint + ")\n";
  }
}
