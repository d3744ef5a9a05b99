package dev.cromwell.benchmarks.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.engine.RealModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code bin/eval --speculate off,on} on the real SmolLM2: every edit runs once per setting, and
 * speculation.md compares them; speculation changes speed only, so every answer is identical.
 */
class SpeculationCompareTest {
  @Test
  void editsRunOncePerSettingWithIdenticalAnswers() throws Exception {
    Path out = Path.of("target", "eval-speculation");
    Path model = RealModels.smollm2();
    int status =
        new CommandLine(new Eval())
            .execute(
                "-m",
                model.toString(),
                "--bench",
                "edit",
                "--modes",
                "docstring",
                "--limit",
                "2",
                "--max-tokens",
                "96",
                "--edit-format",
                "rewrite",
                "--speculate",
                "off,on:16",
                "--humaneval",
                "../../shared/testdata/humaneval/HumanEval.jsonl.gz",
                "--out",
                out.toString());
    assertEquals(0, status);
    String md = Files.readString(out.resolve("speculation.md"));
    List<String> rows = md.lines().filter(l -> l.startsWith("| HumanEval/")).toList();
    assertEquals(4, rows.size(), md);
    assertTrue(rows.stream().allMatch(l -> l.endsWith("| yes |")), md);
    for (String row : rows) {
      // | task | setting | tokens | seconds | prompt computed | prompt s | ...: the prompt is part
      // of the generation's time; a docstring task is one generation, which computes all of it
      // (each task starts with fresh sessions).
      String[] cells = row.split("\\|");
      double seconds = Double.parseDouble(cells[4].trim());
      int promptTokens = Integer.parseInt(cells[5].trim());
      double promptSeconds = Double.parseDouble(cells[6].trim());
      assertTrue(promptTokens > 50 && promptSeconds > 0 && promptSeconds <= seconds, row);
    }
    assertTrue(md.contains("| on:16 | 2 |"), md);
    assertTrue(md.contains("| 2/2 |"), md);
  }

  @Test
  void badSettingsAreNamed() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SpeculationSetting.parse("on:x"));
    assertTrue(e.getMessage().contains("--speculate takes auto, off, on or on:N"), e.getMessage());
    assertEquals(16, SpeculationSetting.parse("on:16").maxDraft());
  }
}
