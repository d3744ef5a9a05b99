package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.ExecuteCommandParams;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.WorkDoneProgressReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An editor hears what a fix does beyond its first answer in the edit's progress, as {@code
 * cromwell edit} prints it, and sees the line the fix guessed as a message once the edit landed. On
 * the real SmolLM2 some "fix the bug" edits of these small functions are refused (its answer's code
 * block is cut off) and others come back unchanged; then the line it finds least likely is looked
 * at again: SmolLM2 cannot fill in the middle (the step says so), and {@code n % 2 == 1} in {@code
 * is_even} reads unlikely to it, at {@code 1}, where swapping in the token it expects, {@code 0},
 * makes the line read likely: the one-token repair. Which files reach which step depends on what
 * the server ran before (a shared session computes a prompt in other chunks), so the three run in
 * one server, in this order.
 */
@Timeout(400)
class FixStepsRealModelTest {
  static final String[] FILES = {
    "import math\n\ndef area(r):\n    return 3.14 * r * r\n",
    "def is_even(n):\n    return n % 2 == 1\n",
    "def first(xs):\n    return xs[1]\n",
  };
  static final String REPAIRED =
      "line 2 changed by one token, to `return n % 2 == 0`, after which the model finds it"
          + " likely: a guess to check";

  @Test
  void aFixSaysWhatItDidInItsProgressAndShowsTheLineItGuessed(@TempDir Path folder)
      throws Exception {
    List<String> reports = new ArrayList<>();
    try (LspHarness h = RealModelServer.start("threads", "2")) {
      for (int i = 0; i < FILES.length; i++) {
        Path file = Files.writeString(folder.resolve("f" + (i + 1) + ".py"), FILES[i]);
        String uri = file.toUri().toString();
        LspServerTest.open(h, uri, "python", FILES[i]);
        int lines = (int) FILES[i].lines().count();
        JsonObject args = new JsonObject();
        args.addProperty("uri", uri);
        args.add(
            "range",
            new com.google.gson.Gson()
                .toJsonTree(new Range(new Position(0, 0), new Position(lines, 0))));
        args.addProperty("instruction", "fix the bug");
        h.client.progress.clear();
        try {
          h.server
              .getWorkspaceService()
              .executeCommand(new ExecuteCommandParams("cromwell.edit", List.of(args)))
              .get(120, TimeUnit.SECONDS);
        } catch (ExecutionException refused) {
          // A refused answer (shown to the user) takes no further step; the next file may.
        }
        h.client.progress.stream()
            .map(p -> p.getValue().getLeft())
            .filter(n -> n instanceof WorkDoneProgressReport)
            .map(n -> file.getFileName() + ": " + ((WorkDoneProgressReport) n).getMessage())
            .forEach(reports::add);
      }
      // The log has them too, for a client without progress.
      List<String> logged = h.client.logged.stream().map(m -> m.getMessage()).toList();
      assertTrue(
          logged.contains(
              "Cromwell: line 2 not written again from the code around it: the model cannot fill"
                  + " in the middle"),
          logged.toString());
      assertTrue(logged.contains("Cromwell: " + REPAIRED), logged.toString());
      // The editor applied the edit, so the guessed line is shown for the user to check.
      assertTrue(
          h.client.shown.stream().anyMatch(m -> m.getMessage().equals("Cromwell: " + REPAIRED)),
          h.client.shown.toString());
      // The edit itself is the one character that changed.
      assertTrue(
          h.client.applied.stream()
              .map(Object::toString)
              .anyMatch(e -> e.contains("f2.py") && e.contains("newText = \"0\"")),
          h.client.applied.toString());
    }
    assertTrue(reports.contains("f2.py: " + REPAIRED), reports.toString());
  }
}
