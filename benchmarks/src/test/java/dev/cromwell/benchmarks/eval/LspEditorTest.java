package dev.cromwell.benchmarks.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.cromwell.engine.RealModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  @Test
  void aProjectsFilesAreIndexedForEveryTaskAndStayAsTheyWere(@TempDir Path project)
      throws Exception {
    Path model = RealModels.smollm2();
    String util = "def add(a, b):\n    return a + b\n";
    String main = "from pkg.util import add\n\n\ndef total(xs):\n    return add(xs[0], xs[1])\n";
    Files.createDirectories(project.resolve("pkg"));
    Files.writeString(project.resolve("pkg/util.py"), util);
    Files.writeString(project.resolve("main.py"), main);
    Files.writeString(project.resolve("notes.txt"), "not copied");
    List<String> files = RepoFimTask.pythonFiles(project);
    assertEquals(List.of("main.py", "pkg/util.py"), files);
    try (LspEditor editor = new LspEditor(model, 1, 8, new JsonObject(), files, project)) {
      assertEquals(2, editor.indexedFiles(), "every project file indexed before the first task");
      String masked = "from pkg.util import add\n\n\ndef total(xs):\n    \n";
      int cursor = masked.length() - 1;
      String accepted = editor.acceptSuggestionIn("main.py", masked, cursor);
      assertTrue(accepted.startsWith(masked.substring(0, cursor)), accepted);
      assertEquals(2, editor.indexedFiles(), "files indexed after the task");
    }
    assertEquals(main, Files.readString(project.resolve("main.py")), "the project is untouched");
  }
}
