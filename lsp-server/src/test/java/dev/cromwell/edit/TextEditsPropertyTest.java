package dev.cromwell.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.protocol.PositionEncoding;
import dev.cromwell.protocol.TextDocument;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TextEditsPropertyTest {
  static final String[] PIECES = {
    "a",
    "b",
    "x = 1",
    "    ",
    "\t",
    "😀",
    "中文",
    "é",
    "\r\n",
    "\n",
    "(",
    ")",
    "return",
    " ",
    "def f():"
  };

  static String randomText(Random rnd) {
    StringBuilder sb = new StringBuilder();
    int n = rnd.nextInt(40);
    for (int i = 0; i < n; i++) {
      sb.append(PIECES[rnd.nextInt(PIECES.length)]);
    }
    return sb.toString();
  }

  static String mutate(Random rnd, String text) {
    List<String> lines = new ArrayList<>(TextEdits.lines(text));
    int changes = 1 + rnd.nextInt(4);
    for (int c = 0; c < changes; c++) {
      int at = lines.isEmpty() ? 0 : rnd.nextInt(lines.size() + 1);
      switch (rnd.nextInt(3)) {
        case 0 -> lines.add(at, randomText(rnd) + "\n");
        case 1 -> {
          if (at < lines.size()) {
            lines.remove(at);
          }
        }
        default -> {
          if (at < lines.size()) {
            String line = lines.get(at);
            int cut = rnd.nextInt(line.length() + 1);
            if (cut > 0 && Character.isHighSurrogate(line.charAt(cut - 1))) {
              cut--;
            }
            lines.set(at, line.substring(0, cut) + randomText(rnd) + line.substring(cut));
          }
        }
      }
    }
    return String.join("", lines);
  }

  @Test
  void applyingTheEditsGivesTheNewTextForThousandsOfRandomPairs() {
    Random rnd = new Random(12345);
    for (int i = 0; i < 4000; i++) {
      String before = randomText(rnd) + "\n" + randomText(rnd) + "\n" + randomText(rnd);
      String after = rnd.nextInt(10) == 0 ? randomText(rnd) : mutate(rnd, before);
      List<TextEdits.Edit> edits = TextEdits.compute(before, after);
      assertEquals(after, TextEdits.apply(before, edits), "pair " + i);
      int last = -1;
      for (TextEdits.Edit e : edits) {
        assertTrue(e.start() >= last && e.end() >= e.start(), "sorted, non-overlapping");
        last = e.end();
      }
      // Through LSP positions (UTF-16 and UTF-8) and back, the edits land in the same places.
      TextDocument doc = new TextDocument(before);
      for (PositionEncoding enc : List.of(PositionEncoding.UTF16, PositionEncoding.UTF8)) {
        for (TextEdits.Edit e : edits) {
          int line = doc.lineOf(e.start());
          assertEquals(
              e.start(),
              doc.offset(line, doc.columnOf(e.start(), enc), enc),
              "start of an edit, " + enc);
        }
      }
    }
  }

  @Test
  void oneChangedWordIsOneSmallEdit() {
    var edits =
        TextEdits.compute(
            "def area(r):\n    return 3.14 * r * r\n",
            "def area(r):\n    return math.pi * r * r\n");
    assertEquals(List.of(new TextEdits.Edit(24, 28, "math.pi")), edits);
  }
}
