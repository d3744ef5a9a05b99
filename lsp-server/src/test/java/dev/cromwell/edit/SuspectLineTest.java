package dev.cromwell.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class SuspectLineTest {
  static final String REGION =
      """
      @cache
      def count(xs):
          \"\"\"How many.

          >>> count([1])
          1
          \"\"\"
          # walk them
          n = 0
          for x in xs:
              n += 1
          return not n
      """;

  @Test
  void theLeastLikelyCodeLineIsPickedAndProseNeverCompetes() {
    // Lowest first on the decorator, def, docstring and comment lines; then on `return not n`.
    double[] lowest = {-20, -19, -18, -17, -16, -15, -14, -13, -2, -1, -3, -5, 0};
    SuspectLine suspect = SuspectLine.pick(LineScores.of(lowest), REGION, 10);
    assertEquals(new SuspectLine(21, "    return not n", -5, null), suspect);
  }

  @Test
  void aOneLineDocstringAndQuotesThatCloseOnTheirLineEndNothing() {
    String region = "def f(x):\n    '''Twice.'''\n    y = x\n    return y * 3\n";
    assertEquals(
        new SuspectLine(3, "    y = x", -4, null),
        SuspectLine.pick(LineScores.of(new double[] {-9, -9, -4, -1}), region, 1));
  }

  @Test
  void noScoresOrNoCodeLinesPickNothing() {
    assertNull(SuspectLine.pick(LineScores.none(), REGION, 1));
    assertNull(SuspectLine.pick(LineScores.of(new double[] {-1, -1}), "# only\n# comments\n", 1));
  }
}
