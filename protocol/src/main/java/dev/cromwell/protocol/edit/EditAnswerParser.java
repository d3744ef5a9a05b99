package dev.cromwell.protocol.edit;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads a model's answer: SEARCH/REPLACE blocks, unified-diff hunks, or a rewritten region (in a
 * fenced block or bare). Malformed answers are rejected with a reason; nothing is guessed.
 */
public final class EditAnswerParser {
  static final String SEARCH = "<<<<<<< SEARCH";
  static final String DIVIDER = "=======";
  static final String REPLACE = ">>>>>>> REPLACE";

  private EditAnswerParser() {}

  public static EditAnswer parse(String answer) throws EditException {
    return parse(answer, EditFormat.REWRITE);
  }

  /**
   * Reads an answer to a request for {@code asked}. A model asked for SEARCH/REPLACE blocks that
   * answers with neither blocks, a diff nor a code block has written prose, not code: taking it as
   * the rewritten region would put the prose in place of the code (Qwen2.5-Coder-0.5B answers
   * "SEARCH" and an explanation of the bug), so it is refused.
   */
  public static EditAnswer parse(String answer, EditFormat asked) throws EditException {
    return parse(answer, asked, "");
  }

  /**
   * Reads an answer to a request for {@code asked} to rewrite {@code selection} (the requested
   * lines as the file has them, or empty where they are not known): a fix's answer may hold more
   * than one code block, and the selection tells the rewrite from the rest ({@link #fixBlock}).
   */
  public static EditAnswer parse(String answer, EditFormat asked, String selection)
      throws EditException {
    String text = answer.replace("\r\n", "\n");
    if (text.contains(SEARCH)) {
      return searchReplace(text);
    }
    if (looksLikeDiff(text)) {
      return diff(text);
    }
    if (asked == EditFormat.SEARCH_REPLACE && !hasBlock(text)) {
      throw new EditException(
          "the answer has no SEARCH/REPLACE block and no code block" + beginning(text));
    }
    if (asked == EditFormat.FIX_REWRITE) {
      return new EditAnswer.Region(fixBlock(text, selection));
    }
    return new EditAnswer.Region(region(text));
  }

  /**
   * The code of a fix's rewrite, chosen among the answer's blocks by {@link FixRewrite}: a model
   * that explains the bug first may quote the buggy lines in a block of their own, and one that
   * ends with the changed line alone, a usage example ({@code print(area(2))}) or a test puts a
   * block after the rewrite; taking that one would put it in place of the function. Prose is never
   * code here: an answer without a block is refused ("the code is correct" in place of the
   * function), and so is one whose last block is cut off (the answer ran out of tokens; an earlier
   * block would be a guess).
   */
  static String fixBlock(String text, String selection) throws EditException {
    List<FencedBlocks.Block> blocks = FencedBlocks.of(text);
    if (blocks.isEmpty()) {
      throw new EditException("the answer has no code block" + beginning(text));
    }
    if (!blocks.getLast().closed()) {
      return code(blocks.getLast(), "last code block");
    }
    FencedBlocks.Block rewrite = FixRewrite.choose(blocks, selection);
    return FixRewrite.wholeSelection(
        code(rewrite != null ? rewrite : blocks.getLast(), "code block"), selection);
  }

  /**
   * Reads an instruct model's answer, asked through its chat template for {@code asked}. Such a
   * model is told to answer with the rewritten lines "in one fenced code block and nothing else",
   * and the catalogue's models do: every one of 130 answers began with the fence (SmolLM2-135M and
   * Qwen2.5-Coder-0.5B 60 each: fix, docstring and rename requests on 20 HumanEval functions;
   * Qwen2.5-Coder-1.5B 10 fix requests; greedy, 4 Dec 2026). An answer without a code block, a
   * SEARCH/REPLACE block or a diff is then prose, and taking it as the region would put the prose
   * in place of the user's code (asked a second time in one tried conversation, the 1.5B answered
   * "The rewritten lines are the same as the original lines.", and the function became that
   * sentence), so it is refused. Base models' region-format answers are bare by design: {@link
   * #parse}.
   */
  public static EditAnswer parseChat(String answer, EditFormat asked) throws EditException {
    return parseChat(answer, asked, "");
  }

  /** {@link #parseChat(String, EditFormat)} for a request to rewrite {@code selection}. */
  public static EditAnswer parseChat(String answer, EditFormat asked, String selection)
      throws EditException {
    String text = answer.replace("\r\n", "\n");
    if (isProse(text, asked)) {
      throw new EditException(
          "the model answered without a code block"
              + beginning(text)
              + ", so nothing was taken as code; ask again, or say in the instruction what"
              + " to change");
    }
    return parse(answer, asked, selection);
  }

  /**
   * Whether an instruct model's answer is prose: not blank, and no code block, SEARCH/REPLACE block
   * or diff in it ({@link #parseChat} refuses it; a fix's second look asks again for the code).
   */
  public static boolean isProse(String answer, EditFormat asked) {
    String text = answer.replace("\r\n", "\n");
    return asked != EditFormat.SEARCH_REPLACE
        && !text.isBlank()
        && !hasBlock(text)
        && !text.contains(SEARCH)
        && !looksLikeDiff(text);
  }

  private static EditAnswer searchReplace(String text) throws EditException {
    List<EditAnswer.Block> blocks = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    int i = 0;
    while (i < lines.length) {
      if (!lines[i].strip().equals(SEARCH)) {
        i++;
        continue;
      }
      int index = blocks.size() + 1;
      StringBuilder search = new StringBuilder();
      i++;
      while (i < lines.length && !lines[i].strip().equals(DIVIDER)) {
        if (lines[i].strip().equals(SEARCH) || lines[i].strip().equals(REPLACE)) {
          throw new EditException("SEARCH/REPLACE block " + index + " has no ======= line");
        }
        search.append(lines[i++]).append('\n');
      }
      if (i >= lines.length) {
        throw new EditException("SEARCH/REPLACE block " + index + " is cut off before =======");
      }
      StringBuilder replace = new StringBuilder();
      i++;
      while (i < lines.length && !lines[i].strip().equals(REPLACE)) {
        if (lines[i].strip().equals(SEARCH)) {
          throw new EditException("SEARCH/REPLACE block " + index + " has no >>>>>>> REPLACE line");
        }
        replace.append(lines[i++]).append('\n');
      }
      if (i >= lines.length) {
        throw new EditException(
            "SEARCH/REPLACE block " + index + " is cut off before >>>>>>> REPLACE");
      }
      i++;
      if (search.isEmpty()) {
        throw new EditException("SEARCH/REPLACE block " + index + " has an empty SEARCH part");
      }
      blocks.add(new EditAnswer.Block(index, search.toString(), replace.toString()));
    }
    return new EditAnswer.SearchReplace(blocks);
  }

  static boolean looksLikeDiff(String text) {
    for (String line : text.split("\n")) {
      if (line.startsWith("@@ ") && line.indexOf("@@", 3) > 0) {
        return true;
      }
    }
    return false;
  }

  private static EditAnswer diff(String text) throws EditException {
    List<EditAnswer.Block> hunks = new ArrayList<>();
    StringBuilder search = null;
    StringBuilder replace = null;
    for (String line : text.split("\n", -1)) {
      if (line.startsWith("@@")) {
        if (search != null) {
          add(hunks, search, replace);
        }
        search = new StringBuilder();
        replace = new StringBuilder();
      } else if (search == null
          || line.startsWith("---")
          || line.startsWith("+++")
          || line.startsWith("```")) {
        continue;
      } else if (line.startsWith("-")) {
        search.append(line, 1, line.length()).append('\n');
      } else if (line.startsWith("+")) {
        replace.append(line, 1, line.length()).append('\n');
      } else if (line.startsWith(" ")) {
        search.append(line, 1, line.length()).append('\n');
        replace.append(line, 1, line.length()).append('\n');
      } else if (line.isEmpty()) {
        continue; // blank lines outside hunks, or a hunk's context line without its space
      } else if (!line.startsWith("\\")) {
        throw new EditException(
            "diff hunk "
                + (hunks.size() + 1)
                + " has a line that is not context, + or -: \""
                + line
                + "\"");
      }
    }
    if (search != null) {
      add(hunks, search, replace);
    }
    if (hunks.isEmpty()) {
      throw new EditException("the diff has no hunks");
    }
    return new EditAnswer.Diff(hunks);
  }

  private static void add(List<EditAnswer.Block> hunks, StringBuilder search, StringBuilder replace)
      throws EditException {
    if (search.isEmpty()) {
      throw new EditException(
          "diff hunk " + (hunks.size() + 1) + " has no context or removed lines to anchor it");
    }
    hunks.add(new EditAnswer.Block(hunks.size() + 1, search.toString(), replace.toString()));
  }

  /**
   * The code of the first fenced block, or the whole answer if it has none. A {@code diff} block
   * without hunks is refused: its {@code -}/{@code +} lines would be pasted in as code.
   */
  static String region(String text) throws EditException {
    List<FencedBlocks.Block> blocks = FencedBlocks.of(text);
    if (blocks.isEmpty()) {
      if (text.isBlank()) {
        throw new EditException("the answer is empty");
      }
      return text;
    }
    return code(blocks.getFirst(), "code block");
  }

  /**
   * The code of {@code block}, the answer's {@code which}: refused when the answer ended inside it,
   * or when it is a {@code diff} block, which has no hunks here (its {@code -}/{@code +} lines
   * would be pasted in as code).
   */
  private static String code(FencedBlocks.Block block, String which) throws EditException {
    if (!block.closed()) {
      throw new EditException(
          block.body().isBlank()
              ? "the answer opens a " + which + " (```) but has nothing in it"
              : "the answer's " + which + " is not closed (missing ```); it may have been cut off");
    }
    if (block.info().equals("diff") || block.info().equals("patch")) {
      throw new EditException(
          "the answer's diff block has no hunks (no \"@@ -l,n +l,n @@\" lines), so where its"
              + " lines go is unknown; ask again for the rewritten lines");
    }
    return block.body();
  }

  /** " (it begins "…")" with the answer's first line, for refusals; empty for a blank answer. */
  private static String beginning(String text) {
    String first = text.strip().lines().findFirst().orElse("");
    return first.isEmpty()
        ? ""
        : " (it begins \"" + (first.length() > 60 ? first.substring(0, 60) + "…" : first) + "\")";
  }

  /** Whether {@code text} has a fenced code block (a fence line, not backticks in a sentence). */
  static boolean hasBlock(String text) {
    return !FencedBlocks.of(text).isEmpty();
  }
}
