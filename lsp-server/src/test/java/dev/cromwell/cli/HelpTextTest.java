package dev.cromwell.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class HelpTextTest {
  @Test
  void theSummaryStaysItsOwnLineAndTheRestJoinsIntoParagraphs() {
    assertArrayEquals(
        new String[] {"Edit lines.", "FILE:L1-L2 selects lines. The diff is", "", "Backups."},
        HelpText.paragraphs(
            new String[] {
              "Edit lines.", "FILE:L1-L2 selects lines.", "The diff is", "", "Backups."
            }));
    assertArrayEquals(new String[] {"One line."}, HelpText.paragraphs(new String[] {"One line."}));
    assertArrayEquals(new String[0], HelpText.paragraphs(new String[0]));
  }

  @Test
  void helpNoLongerLeavesAWordOrTwoOnALineOfItsOwn() {
    // Before the reflow, picocli wrapped each ~90-character source line at 80 columns on its own:
    // "...keeps a backup in ." then "cromwell/backups/ unless" on the next line.
    StringWriter out = new StringWriter();
    Main.run(
        Main.commandLine(),
        new String[] {"edit", "--help"},
        new PrintWriter(out),
        new PrintWriter(new StringWriter()));
    assertFalse(out.toString().contains("backup in .\n"), out.toString());
    assertFalse(out.toString().contains("\ndiff is\n"), out.toString());
  }
}
