package dev.cromwell.protocol.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FixInstructionTest {
  @Test
  void acceptsRequestsToFixAnUnnamedBug() {
    for (String s :
        new String[] {
          "fix the bug",
          "Fix the bug.",
          "fix this",
          "Fix it!",
          "fix the error",
          "fix bugs",
          "fix the bugs in this function",
          "please fix the code",
          "find and fix the bug",
          "correct the mistake",
          "debug this function",
          "fix any issues please",
          "fix the problem in the code"
        }) {
      assertTrue(FixInstruction.accepts(s), s);
    }
  }

  @Test
  void refusesInstructionsThatNameTheBugOrAskForMore() {
    for (String s :
        new String[] {
          "fix the bug and add a docstring",
          "fix the off-by-one in the loop",
          "Fix this problem reported at lines 3-4: undefined name 'x'",
          "add a docstring",
          "document this function",
          "use math.pi",
          "fix the indentation and rename x to count",
          "explain the bug",
          "fixture"
        }) {
      assertFalse(FixInstruction.accepts(s), s);
    }
  }

  @Test
  void onlyRewritesOfUnnamedBugsGetTheFixFormat() {
    assertEquals(EditFormat.FIX_REWRITE, EditFormat.REWRITE.forInstruction("Fix the bug."));
    assertEquals(EditFormat.REWRITE, EditFormat.REWRITE.forInstruction("add a docstring"));
    assertEquals(EditFormat.REWRITE, EditFormat.REWRITE.forInstruction("use math.pi"));
    assertEquals(
        EditFormat.SEARCH_REPLACE, EditFormat.SEARCH_REPLACE.forInstruction("fix the bug"));
  }
}
