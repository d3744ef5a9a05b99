package dev.cromwell.protocol.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Fuzz tests of what reads a model's edit answer and anchors it in the file. Under plain JUnit they
 * replay the kept corpus in {@code EditFuzzTestInputs/}; with {@code JAZZER_FUZZ=1} they fuzz
 * (docs/ARCHITECTURE.md says how).
 */
class EditFuzzTest {
  /** Any answer parses or is refused with an EditException; a parsed block is never empty. */
  @FuzzTest(maxDuration = "2m", maxExecutions = 1_000_000)
  void parseAnswer(byte[] bytes) {
    String answer = new String(bytes, StandardCharsets.UTF_8);
    EditAnswer parsed;
    try {
      parsed = EditAnswerParser.parse(answer);
    } catch (EditException refused) {
      assertNotNull(refused.getMessage());
      return;
    }
    switch (parsed) {
      case EditAnswer.Region r -> assertTrue(!r.text().isBlank() || answer.contains("```"));
      case EditAnswer.SearchReplace s -> s.blocks().forEach(b -> assertTrue(!b.search().isEmpty()));
      case EditAnswer.Diff d -> {
        assertTrue(!d.hunks().isEmpty());
        d.hunks().forEach(b -> assertTrue(!b.search().isEmpty()));
      }
    }
  }

  /**
   * Anchoring a block either refuses with an EditException or finds its search text once in the
   * file; a block that replaces its search text by itself leaves the bytes outside its lines as
   * they were.
   */
  @FuzzTest(maxDuration = "2m", maxExecutions = 1_000_000)
  void anchorBlock(FuzzedDataProvider data) {
    String search = data.consumeString(200);
    boolean identity = data.consumeBoolean();
    String replace = identity ? search : data.consumeString(200);
    String text = data.consumeRemainingAsString();
    String result;
    try {
      result = Anchoring.apply(text, List.of(new EditAnswer.Block(1, search, replace)));
    } catch (EditException refused) {
      assertNotNull(refused.getMessage());
      return;
    }
    String normalized = text.replace("\r\n", "\n");
    int exact = normalized.indexOf(search);
    if (exact >= 0) {
      assertTrue(normalized.indexOf(search, exact + 1) < 0, "an ambiguous anchor was accepted");
      if (identity) {
        // A no-op keeps the content; only the matched lines may take the file's line ending, so
        // one without a line break keeps every byte (a file mixing CRLF and LF was rewritten).
        assertEquals(normalized, result.replace("\r\n", "\n"), "a no-op block changed the text");
        if (!search.contains("\n")) {
          assertEquals(text, result, "a no-op block changed bytes outside its lines");
        }
      }
    } else {
      assertTrue(
          whitespaceMatches(normalized, search) == 1,
          "an anchor was accepted that is not once in the text");
    }
  }

  /** Windows of the text's lines equal to the search's lines, both stripped (an oracle). */
  private static int whitespaceMatches(String text, String search) {
    String[] lines = text.split("\n", -1);
    String[] wanted = search.split("\n", -1);
    int n = wanted.length;
    while (n > 1 && wanted[n - 1].isEmpty()) {
      n--;
    }
    int count = 0;
    for (int start = 0; start + n <= lines.length; start++) {
      boolean same = true;
      for (int k = 0; k < n && same; k++) {
        same = lines[start + k].strip().equals(wanted[k].strip());
      }
      count += same ? 1 : 0;
    }
    return count;
  }
}
