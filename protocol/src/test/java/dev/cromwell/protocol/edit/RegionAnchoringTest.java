package dev.cromwell.protocol.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RegionAnchoringTest {
  static final String ABOVE =
      "def mean(values):\n    total = 0\n    for v in values:\n        total += v\n"
          + "    return total / len(values)\n\n\n";
  static final String MEDIAN =
      "def median(values):\n    ordered = sorted(values)\n    n = len(ordered)\n"
          + "    mid = n // 2\n    if n % 2 == 1:\n        return ordered[mid]\n"
          + "    return (ordered[mid - 1] + ordered[mid]) / 2\n";
  static final String FILE = ABOVE + MEDIAN;
  static final String DOC = "    \"\"\"The median of values.\"\"\"\n";
  static final String WANTED = ABOVE + MEDIAN.replaceFirst("\n", "\n" + DOC);

  @Test
  void anAnswerThatRewritesTheWholeFunctionOfASelectedFirstLineIsNotPastedTwice()
      throws EditException {
    // Qwen2.5-Coder-0.5B's answer to "add a docstring" on line 8 alone (the def line).
    String answer = MEDIAN.replaceFirst("\n", "\n" + DOC);
    int start = ABOVE.length();
    int end = start + MEDIAN.indexOf('\n') + 1;
    assertEquals(WANTED, RegionAnchoring.apply(FILE, start, end, answer));
  }

  @Test
  void anAnswerThatStartsWithTheFunctionsAboveKeepsThemOnce() throws EditException {
    String answer = ABOVE + MEDIAN.replaceFirst("\n", "\n" + DOC);
    assertEquals(WANTED, RegionAnchoring.apply(FILE, ABOVE.length(), FILE.length(), answer));
  }

  @Test
  void anOrdinaryAnswerReplacesTheRegion() throws EditException {
    String answer = MEDIAN.replaceFirst("\n", "\n" + DOC);
    assertEquals(WANTED, RegionAnchoring.apply(FILE, ABOVE.length(), FILE.length(), answer));
    assertEquals(
        ABOVE + "x = 1\n", RegionAnchoring.apply(FILE, ABOVE.length(), FILE.length(), "x = 1"));
  }

  @Test
  void anAnswerThatOnlyRepeatsTheLinesAboveIsRefused() {
    assertTrue(
        assertThrows(
                EditException.class,
                () -> RegionAnchoring.apply(FILE, ABOVE.length(), FILE.length(), ABOVE))
            .getMessage()
            .contains("only repeats"));
  }

  @Test
  void theGuardRefusesAddedCopiesOfLinesThatStayInTheFile() {
    // What EditService produced before the fix: the body pasted a second time.
    String pasted = FILE + MEDIAN.substring(MEDIAN.indexOf('\n') + 1);
    String message =
        assertThrows(EditException.class, () -> CopyGuard.check("stats.py", FILE, pasted))
            .getMessage();
    assertTrue(message.contains("adds a copy of lines 9-14 of stats.py"), message);
  }

  @Test
  void theGuardAllowsMovesAndOrdinaryEdits() throws EditException {
    CopyGuard.check("stats.py", FILE, MEDIAN + "\n\n" + ABOVE.strip() + "\n");
    CopyGuard.check("stats.py", FILE, WANTED);
    CopyGuard.check("stats.py", FILE, FILE.replace("n // 2", "n >> 1"));
  }
}
