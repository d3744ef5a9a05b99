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
 * cromwell edit} prints it. On the real SmolLM2 some "fix the bug" edits of these small functions
 * are refused (its answer's code block is cut off) and others come back unchanged the first time,
 * so the model is asked again about the line it finds least likely: which ones depends on what the
 * server ran before (a shared session computes a prompt in other chunks), so the three run in one
 * server, in this order, and at least one must say it asked again.
 */
@Timeout(400)
class FixStepsRealModelTest {
  static final String[] FILES = {
    "import math\n\ndef area(r):\n    return 3.14 * r * r\n",
    "def is_even(n):\n    return n % 2 == 1\n",
    "def first(xs):\n    return xs[1]\n",
  };

  @Test
  void aFixThatAsksAgainSaysSoInItsProgress(@TempDir Path folder) throws Exception {
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
      // The log has them too, for a client without progress; SmolLM2 cannot fill in the middle,
      // so the fix says so, and then asks again.
      List<String> logged = h.client.logged.stream().map(m -> m.getMessage()).toList();
      assertTrue(
          logged.contains(
              "Cromwell: the first answer changed nothing; asked again, pointed at line 2"),
          logged.toString());
      assertTrue(
          logged.contains(
              "Cromwell: line 2 not written again from the code around it: the model cannot fill"
                  + " in the middle"),
          logged.toString());
    }
    assertTrue(
        reports.stream()
            .anyMatch(
                r ->
                    r.endsWith(
                        ": the first answer changed nothing; asked again, pointed at line 2")),
        reports.toString());
  }
}
