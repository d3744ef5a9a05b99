package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cromwell.context.Language;
import dev.cromwell.engine.generate.GenerationRequest.TextStop;
import org.junit.jupiter.api.Test;

/**
 * Where a multi-line suggestion at an empty indented line ends. The model's text is given as the
 * lane hands it over: from its first visible char (TypedIndent), later lines as the model indented
 * them. The answers are the 1.5B's own on HumanEval spans (docs/QUALITY.md).
 */
class CompletionStopsTest {
  /** The suggestion {@code model} comes to for the cursor at the "|" of {@code document}. */
  static String suggestion(String document, String model, Language language) {
    int cursor = document.indexOf('|');
    String text = document.substring(0, cursor) + document.substring(cursor + 1);
    CompletionContext c = PostProcessorTest.at(text, cursor);
    TextStop stop = CompletionStops.forContext(c, language);
    // The generator asks after every token; a char at a time is as strict.
    for (int i = 1; i <= model.length(); i++) {
      int cut = stop.cut(model.substring(0, i));
      if (cut >= 0) {
        return model.substring(0, cut);
      }
    }
    return model;
  }

  static final String GCD =
      "def gcd(a: int, b: int) -> int:\n"
          + "    \"\"\"Greatest common divisor.\"\"\"\n"
          + "    while b:\n"
          + "        |\n";

  @Test
  void aSuggestionInAFunctionGoesOnPastItsBlockToTheFunctionsEnd() {
    // The loop body, then the function's last line: the lines after the loop belong to the gap
    // too (HumanEval/13; 11 of the 18 multi-line tasks the editor path lost were cut so).
    String model = "a, b = b, a % b\n    return a\n\n\ndef lcm(a: int, b: int) -> int:\n";
    assertEquals("a, b = b, a % b\n    return a\n\n", suggestion(GCD, model, Language.PYTHON));
  }

  @Test
  void aSuggestionEndsWhereItLeavesTheFunction() {
    String model = "a, b = b, a % b\n    return a\nprint(gcd(4, 6))\n";
    assertEquals("a, b = b, a % b\n    return a", suggestion(GCD, model, Language.PYTHON));
  }

  @Test
  void inAMethodTheNextMethodEndsIt() {
    String doc =
        "class Stack:\n"
            + "    def push(self, x):\n"
            + "        if x is None:\n"
            + "            |\n";
    String model = "raise ValueError(x)\n        self.items.append(x)\n\n    def pop(self):\n";
    assertEquals(
        "raise ValueError(x)\n        self.items.append(x)\n",
        suggestion(doc, model, Language.PYTHON));
  }

  @Test
  void outsideAnyDefinitionTheBlockEndEndsIt() {
    String doc = "for line in lines:\n    |\n";
    String model = "print(line)\nprint('done')\n";
    assertEquals("print(line)", suggestion(doc, model, Language.PYTHON));
    // A language the analyzer does not read keeps the block rule too.
    assertEquals(
        "a, b = b, a % b", suggestion(GCD, "a, b = b, a % b\n    return a\n", Language.OTHER));
  }

  @Test
  void whereTheDefinitionGoesOnAfterTheCursorTheSuggestionStaysInItsBlock() {
    // HumanEval/139 on the 0.5B: past the loop body it wrote the function's end again, above
    // the lines that are already there.
    String doc =
        "def special_factorial(n):\n"
            + "    fact_i = special_fact = 1\n"
            + "    for i in range(1, n + 1):\n"
            + "        |\n"
            + "        special_fact *= fact_i\n"
            + "    return special_fact\n";
    assertEquals(
        "fact_i *= i", suggestion(doc, "fact_i *= i\n    return special_fact\n", Language.PYTHON));
  }

  @Test
  void aSuggestionEndsWhereItWritesTheLineAfterTheCursor() {
    // The model filled the gap, then went on with the code already below it.
    String doc =
        "def total(xs):\n"
            + "    total = 0\n"
            + "    for x in xs:\n"
            + "        |\n"
            + "        total += x\n"
            + "    return total\n";
    String model = "x = abs(x)\n        total += x\n    return total\n";
    assertEquals("x = abs(x)", suggestion(doc, model, Language.PYTHON));
  }

  @Test
  void aLineStillGrowingIsNotTakenForTheLineAfterTheCursor() {
    String doc = "def f(x):\n    if x:\n        |\n        return x\n";
    String model = "x += 1\n        return x + 1\n";
    assertEquals(model, suggestion(doc, model, Language.PYTHON));
  }

  /**
   * The suggestion at the "|" of {@code document} as the lane makes it from the model's whole text
   * ({@code model}, its own indentation included): the stop sees it through TypedIndent.
   */
  static String laneSuggestion(String document, String model, Language language) {
    int cursor = document.indexOf('|');
    String text = document.substring(0, cursor) + document.substring(cursor + 1);
    CompletionContext c = PostProcessorTest.at(text, cursor);
    String typed = TypedIndent.of(c);
    TextStop stop = TypedIndent.stop(CompletionStops.forContext(c, language), typed);
    String kept = model;
    for (int i = 1; i <= model.length(); i++) {
      int cut = stop.cut(model.substring(0, i));
      if (cut >= 0) {
        kept = model.substring(0, cut);
        break;
      }
    }
    return TypedIndent.align(kept, typed);
  }

  @Test
  void aFirstLineIndentedOtherwiseThanTypedIsJudgedWhereTheEditorPutsIt() {
    // The model indents its lines 4 where the user typed 8: moved to the cursor, its second line
    // is in the cursor's block, not out of it.
    String doc = "def f(xs):\n    for x in xs:\n        |\n    return xs\n";
    String model = "    a = x\n    b = a * 2\n";
    assertEquals("a = x\n        b = a * 2\n", laneSuggestion(doc, model, Language.PYTHON));
  }

  static final String TWO_FUNCTIONS =
      "def encode(text):\n    return [ord(c) for c in text]\n|\n\ndef decode(ids):\n"
          + "    return ''.join(map(chr, ids))\n";

  @Test
  void aMarkdownFenceIsNoSuggestionInCode() {
    // The 0.5B's answer at the empty line between two Python functions in the editor-latency
    // benchmark (docs/PERFORMANCE.md): an instruct model closing its answer's code block.
    assertEquals("", suggestion(TWO_FUNCTIONS, "```", Language.PYTHON));
    assertEquals("", suggestion(TWO_FUNCTIONS, "```\n\nThis adds", Language.PYTHON));
  }

  @Test
  void theSuggestionEndsBeforeAFenceAfterItsCode() {
    // The fence at the body's own indentation, where the indentation rules let a line through.
    String doc = "def mean(xs):\n    total = 0\n    |\n    return total\n";
    String model = "for x in xs:\n        total += x\n    ```\n    The loop adds";
    assertEquals("for x in xs:\n        total += x", suggestion(doc, model, Language.PYTHON));
    // The same through the lane, the user having typed the indentation.
    assertEquals(
        "for x in xs:\n        total += x", laneSuggestion(doc, "    " + model, Language.PYTHON));
    // Backticks inside a line are code (a Markdown string, a shell command).
    assertEquals("s = \"```\"", suggestion(doc, "s = \"```\"", Language.PYTHON));
  }

  @Test
  void documentsWithFencesAndUnknownLanguagesKeepThem() {
    String doc = "def run():\n    \"\"\"Run it:\n\n    ```\n    make\n    ```\n    \"\"\"\n    |\n";
    assertEquals("x = 1\n    ```", suggestion(doc, "x = 1\n    ```", Language.PYTHON));
    // A README (Markdown is a language the server does not know) gets its first fence so.
    assertEquals(
        "```sh\nmake test\n```",
        suggestion("Run it:\n\n|", "```sh\nmake test\n```", Language.OTHER));
  }

  @Test
  void theDefinitionIsTheNearestLessIndentedDefinitionLine() {
    String before = "class A:\n    def f(self):\n        x = 1\n        for i in y:\n            ";
    assertEquals(4, EnclosingDefinition.indentWidth(before, 12, Language.PYTHON));
    assertEquals(0, EnclosingDefinition.indentWidth("def f():\n    ", 4, Language.PYTHON));
    assertEquals(-1, EnclosingDefinition.indentWidth("if x:\n    ", 4, Language.PYTHON));
    assertEquals(-1, EnclosingDefinition.indentWidth("def f():\n", 0, Language.PYTHON));
  }
}
