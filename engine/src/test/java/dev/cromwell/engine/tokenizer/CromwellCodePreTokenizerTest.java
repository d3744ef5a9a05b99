package dev.cromwell.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The code-aware split of Cromwell's own tokenizer. Token-for-token parity with the Python trainer
 * ({@code tokenizers}) is checked by training/tests/test_tokenizer.py through the CLI.
 */
class CromwellCodePreTokenizerTest {
  private final PreTokenizer pre = PreTokenizer.CROMWELL_CODE;

  @Test
  void isChosenByItsGgufName() {
    assertSame(pre, PreTokenizer.forName("cromwell-code"));
  }

  @Test
  void keepsIndentationLineBreaksAndDigitsApart() {
    assertEquals(
        List.of("    ", "return", " x", " +", " ", "4", "2", ";", "\n", "\t\t", "}"),
        pre.split("    return x + 42;\n\t\t}"));
  }

  @Test
  void neverJoinsTwoLines() {
    assertEquals(List.of("a", ")", "\r\n", "\n", "  ", "b"), pre.split("a)\r\n\n  b"));
    assertEquals(List.of("x", "\r", "y"), pre.split("x\ry"));
  }

  @Test
  void treatsUnicodeLettersAsWordsAndSymbolsAsRuns() {
    assertEquals(
        List.of("größe", " =", " \"", "日本語", "\"", " //", " ✓😀"),
        pre.split("größe = \"日本語\" // ✓😀"));
  }
}
