package dev.cromwell.protocol.edit;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fenced code blocks of a model's answer, read as Markdown reads them, with one allowance for
 * how models nest them. A fence is a line of three or more backticks (or tildes), after optional
 * indentation; the opening one may carry an info string (the language). A block closes at a line of
 * at least as many of the same character and nothing else. Backticks inside a sentence ("wrap it in
 * ``` fences") are not a fence: taken for one, they made the block before the real one empty, and
 * the edit deleted the selection.
 *
 * <p>The allowance: models write a Markdown file that has code blocks of its own inside a block of
 * the same three backticks. Inside a block, an opening fence with an info string ({@code ```sh})
 * therefore opens a nested block that the next bare fence closes, instead of the bare fence ending
 * the outer block early, which cut the answer there and lost the rest of the user's text.
 */
final class FencedBlocks {
  private static final Pattern FENCE = Pattern.compile("[ \\t]*(`{3,}|~{3,})(.*)");

  /**
   * One block.
   *
   * @param info the opening fence's info string ("python", "diff"), stripped; empty when none
   * @param body its lines, each with its line break (a closed block's last line too)
   * @param closed false when the answer ended inside it (cut off, or stopped early)
   */
  record Block(String info, String body, boolean closed) {}

  private FencedBlocks() {}

  /** The blocks of {@code text} (line breaks {@code \n}), in order. */
  static List<Block> of(String text) {
    List<Block> blocks = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    int i = 0;
    while (i < lines.length) {
      Fence open = Fence.of(lines[i]);
      i++;
      if (open == null) {
        continue;
      }
      StringBuilder body = new StringBuilder();
      int nested = 0;
      boolean closed = false;
      for (; i < lines.length; i++) {
        Fence fence = Fence.of(lines[i]);
        if (fence != null && fence.mark() == open.mark() && fence.length() >= open.length()) {
          if (!fence.info().isEmpty()) {
            nested++;
          } else if (nested > 0) {
            nested--;
          } else {
            closed = true;
            i++;
            break;
          }
        }
        body.append(lines[i]);
        if (i < lines.length - 1) {
          body.append('\n');
        }
      }
      blocks.add(new Block(open.info(), body.toString(), closed));
    }
    return blocks;
  }

  /** A fence line: its character, how many of it, and the text after them. */
  private record Fence(char mark, int length, String info) {
    static Fence of(String line) {
      Matcher m = FENCE.matcher(line);
      if (!m.matches()) {
        return null;
      }
      String run = m.group(1);
      String info = m.group(2).strip();
      if (run.charAt(0) == '`' && info.indexOf('`') >= 0) {
        return null; // inline code such as ```x = 1```, as Markdown has it
      }
      return new Fence(run.charAt(0), run.length(), info);
    }
  }
}
