package dev.cromwell.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.cromwell.engine.TestData;
import dev.cromwell.lsp.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContextCommandTest {
  @TempDir Path dir;

  @Test
  void printsThePlanForACursorAsTextAndJson() throws IOException {
    Files.writeString(
        dir.resolve("shapes.py"),
        "def area_of_circle(radius):\n    return 3.14 * radius * radius\n");
    Path main = dir.resolve("main.py");
    Files.writeString(
        main,
        "from shapes import area_of_circle\n\ndef compute(radius):\n    return area_of_circle(radius)\n");
    CliTest.Run text =
        CliTest.run("context", main + ":4:12", "--root", dir.toString(), "--budget", "300");
    assertEquals(0, text.code(), text.err());
    assertTrue(text.out().contains("prefix"), text.out());
    assertTrue(text.out().contains("shapes.py"), text.out());
    assertTrue(text.out().contains("approximation"), text.out());

    CliTest.Run json =
        CliTest.run(
            "context",
            main + ":4",
            "--root",
            dir.toString(),
            "--budget",
            "300",
            "--json",
            "--model",
            TestData.tokenizers().resolve("ggml-vocab-qwen2.gguf").toString());
    assertEquals(0, json.code(), json.err());
    JsonObject plan = JsonParser.parseString(json.out()).getAsJsonObject();
    assertTrue(plan.get("totalTokens").getAsInt() <= 300);
    assertTrue(plan.get("counting").getAsString().startsWith("model tokenizer"));
    assertEquals(
        "prefix", plan.getAsJsonArray("pieces").get(0).getAsJsonObject().get("kind").getAsString());

    // Without --budget: the editor's own budget, so the command shows what the editor's model sees.
    CliTest.Run editors = CliTest.run("context", main + ":4", "--root", dir.toString(), "--json");
    assertEquals(0, editors.code(), editors.err());
    assertEquals(
        ServerConfig.defaults().contextBudget(),
        JsonParser.parseString(editors.out()).getAsJsonObject().get("budget").getAsInt());
  }

  @Test
  void badCursorsAreClearErrors() {
    CliTest.Run noLine = CliTest.run("context", dir.resolve("x.py").toString());
    assertEquals(2, noLine.code());
    assertTrue(noLine.err().contains("FILE:LINE"), noLine.err());
    CliTest.Run missing = CliTest.run("context", dir.resolve("x.py") + ":3");
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("file not found"), missing.err());
  }
}
