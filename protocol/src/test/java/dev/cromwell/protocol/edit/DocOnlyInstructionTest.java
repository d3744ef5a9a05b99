package dev.cromwell.protocol.edit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DocOnlyInstructionTest {
  @Test
  void acceptsRequestsForDocumentationAlone() {
    for (String s :
        new String[] {
          "add a docstring",
          "Add a docstring.",
          "add docstrings",
          "write a docstring",
          "document this function",
          "Document it",
          "document",
          "add doc comments",
          "add a doc comment to this method",
          "add javadoc",
          "Add Javadoc to the class",
          "please add a short docstring",
          "add a google-style docstring to each function",
          "generate documentation",
          "add a doc-string to the function please",
          "add JSDoc comments",
          "Add a concise docstring or doc comment to the selected code. Change nothing else.",
          "add a docstring to the selected function",
          "document this function; don't change anything else",
          "add a docstring and change nothing else",
          "document the selected function. Change nothing else",
          "add a docstring/doc comment",
          "Add a docstring. Don\u2019t change anything else."
        }) {
      assertTrue(DocOnlyInstruction.accepts(s), s);
    }
  }

  @Test
  void refusesAnythingThatAlsoAsksForCode() {
    for (String s :
        new String[] {
          "fix the bug and add a docstring",
          "add a docstring and type hints",
          "add type hints",
          "add a docstring, then rename x to count",
          "add comments",
          "explain this function",
          "add a docstring explaining why it returns None and make it return 0",
          "rewrite with docstrings",
          "remove the docstring",
          "document the bug and fix it",
          "use math.pi",
          "add a docstring. Change the return type",
          "add a docstring or fix the bug",
          "add a docstring to the selected code and change the loop"
        }) {
      assertFalse(DocOnlyInstruction.accepts(s), s);
    }
  }
}
