package dev.cromwell.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The diffs `cromwell edit` prints and the HTTP edit answers, applied by the tool users apply them
 * with, {@code git apply}: every one must turn the old file into the new one, at the end of a file
 * too (a final line end, a blank last line, none).
 */
class UnifiedDiffTest {
  @TempDir Path folder;

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          a blank last line, a change above it | a\\nb\\nc\\n\\n | a\\nB\\nc\\n\\n
          the last line changed                | a\\nb\\nc\\n   | a\\nb\\nC\\n
          no final line end in either          | a\\nb         | a\\nB
          a final line end added               | a\\nb         | a\\nb\\n
          a final line end removed             | a\\nb\\n      | a\\nb
          an empty file filled                 | ''            | x\\ny\\n
          a file emptied                       | x\\ny\\n      | ''
          CRLF lines                           | a\\r\\nb\\r\\n | a\\r\\nB\\r\\n
          """)
  void gitApplyTurnsTheOldFileIntoTheNewOne(String name, String before, String after)
      throws Exception {
    assertApplies(unescape(before), unescape(after));
  }

  @Test
  void aChangeInTheMiddleOfALongFileApplies() throws Exception {
    StringBuilder before = new StringBuilder();
    for (int i = 1; i <= 30; i++) {
      before.append("line ").append(i).append('\n');
    }
    assertApplies(before.toString(), before.toString().replace("line 15\n", "line fifteen\n"));
  }

  @Test
  void aFilesFinalLineEndMakesNoLineOfItsOwn() {
    // The diff that `git apply` refused: its hunk counted a fifth line after the blank last one.
    assertEquals(
        List.of("--- a/f.py", "+++ b/f.py", "@@ -1,4 +1,4 @@", " a", "-b", "+B", " c", " "),
        UnifiedDiff.lines("f.py", "a\nb\nc\n\n", "a\nB\nc\n\n", 3));
    assertEquals(
        List.of(
            "--- a/f.py",
            "+++ b/f.py",
            "@@ -1,2 +1,2 @@",
            " a",
            "-b",
            "\\ No newline at end of file",
            "+b"),
        UnifiedDiff.lines("f.py", "a\nb", "a\nb\n", 3));
  }

  private void assertApplies(String before, String after) throws IOException, InterruptedException {
    Path file = folder.resolve("f.py");
    Files.writeString(file, before, StandardCharsets.UTF_8);
    String diff = String.join("\n", UnifiedDiff.lines("f.py", before, after, 3)) + "\n";
    Process git =
        new ProcessBuilder("git", "apply", "--whitespace=nowarn", "-")
            .directory(folder.toFile())
            .redirectErrorStream(true)
            .start();
    git.getOutputStream().write(diff.getBytes(StandardCharsets.UTF_8));
    git.getOutputStream().close();
    String said = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    git.waitFor(30, TimeUnit.SECONDS);
    assertEquals(0, git.exitValue(), "git apply refused:\n" + diff + "\n" + said);
    assertEquals(after, Files.readString(file, StandardCharsets.UTF_8), diff);
  }

  private static String unescape(String cell) {
    return cell.equals("''") ? "" : cell.replace("\\n", "\n").replace("\\r", "\r");
  }
}
