package dev.cromwell.benchmarks.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.cromwell.engine.RealModels;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The editor path leaves nothing behind between tasks: each task's file is gone from the server's
 * workspace index before the next one, so no task's prompt carries an earlier task's file as a
 * snippet (for single-line FIM that file is the same problem with the masked line still in it).
 */
class LspEditorTest {
  @Test
  void eachTaskFileLeavesTheIndexBeforeTheNext() throws Exception {
    Path model = RealModels.smollm2();
    String file = "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    ";
    try (LspEditor editor = new LspEditor(model, 1, 8, new JsonObject())) {
      for (int task = 1; task <= 3; task++) {
        String accepted = editor.acceptSuggestion(file, file.length());
        assertTrue(accepted.startsWith(file), accepted);
        assertEquals(0, editor.indexedFiles(), "files indexed after task " + task);
      }
    }
  }
}
