package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.cromwell.edit.EditModel;
import dev.cromwell.edit.FillingEditModel;
import dev.cromwell.engine.generate.GenerationRequest.TextStop;
import dev.cromwell.protocol.FimFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.eclipse.lsp4j.ExecuteCommandParams;
import org.eclipse.lsp4j.MessageParams;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.Range;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fix whose line was guessed by fill-in-the-middle is shown to the user as a message once the
 * editor applied the edit, and not when the editor refused it (no guessed line landed). The model
 * is scripted (SmolLM2 cannot fill in the middle, and the Qwen models are not in CI): this proves
 * the server's plumbing; the fill itself is measured on the real Qwen models by bin/eval.
 */
class FilledLineMessageTest {
  static final String FILE = "import math\n\ndef area(r):\n    return 3.14 * r * r\n";
  static final String UNCHANGED = "```python\ndef area(r):\n    return 3.14 * r * r\n```\n";
  static final String SHOWN =
      "Cromwell: line 4 written again from the code around it (fill-in-the-middle), a guess to"
          + " check";

  @Test
  void aFilledLineIsShownOnceTheEditorAppliedTheEdit(@TempDir Path folder) throws Exception {
    assertEquals(List.of(SHOWN), shownAfterAFix(folder, true));
  }

  @Test
  void aFilledLineTheEditorDidNotApplyIsNotShown(@TempDir Path folder) throws Exception {
    assertEquals(List.of(), shownAfterAFix(folder, false));
  }

  /** The messages shown about the filled line after a fix the client applies or refuses. */
  private static List<String> shownAfterAFix(Path folder, boolean applies) throws Exception {
    FillingCompleter completer = new FillingCompleter();
    try (LspHarness h = new LspHarness(LspServerTest.config(0), c -> completer)) {
      h.client.applies = applies;
      h.initialize(null, null, folder.toUri().toString());
      h.awaitStatus("modelState", "ready");
      Path file = Files.writeString(folder.resolve("geo.py"), FILE);
      String uri = file.toUri().toString();
      LspServerTest.open(h, uri, "python", FILE);
      JsonObject args = new JsonObject();
      args.addProperty("uri", uri);
      args.add(
          "range",
          new com.google.gson.Gson().toJsonTree(new Range(new Position(2, 0), new Position(4, 0))));
      args.addProperty("instruction", "fix the bug");
      h.server
          .getWorkspaceService()
          .executeCommand(new ExecuteCommandParams("cromwell.edit", List.of(args)))
          .get(30, TimeUnit.SECONDS);
      // The first look and the fill ran, and the edit went to the client whatever it answers.
      assertEquals(2, completer.model.prompts.size());
      assertEquals(1, h.client.applied.size());
      assertTrue(
          h.client.logged.stream().anyMatch(m -> m.getMessage().equals(SHOWN)),
          h.client.logged.toString());
      return h.client.shown.stream()
          .map(MessageParams::getMessage)
          .filter(m -> m.contains("fill-in-the-middle"))
          .toList();
    }
  }

  /** The editor server's completer, with a model that fills the return line in. */
  static final class FillingCompleter implements Completer {
    final FillingEditModel model = new FillingEditModel(UNCHANGED, "return math.pi * r * r");

    @Override
    public Output complete(
        String key,
        List<FimFormat.Part> prompt,
        TextStop stop,
        int maxTokens,
        long timeLimitNanos,
        BooleanSupplier cancelled) {
      return new Output("", 0, 0, 0, "stub");
    }

    @Override
    public FimFormat format() {
      return FimFormat.QWEN;
    }

    @Override
    public EditModel editModel() {
      return model;
    }
  }
}
