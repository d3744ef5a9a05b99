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
    String text = answer.replace("\r\n", "\n");
    if (text.contains(SEARCH)) {
      return searchReplace(text);
    }
    if (looksLikeDiff(text)) {
      return diff(text);
    }
    if (asked == EditFormat.SEARCH_REPLACE && !text.contains("```")) {
      String first = text.strip().lines().findFirst().orElse("");
      throw new EditException(
          "the answer has no SEARCH/REPLACE block and no code block"
              + (first.isEmpty()
                  ? ""
                  : " (it begins \"" + first.substring(0, Math.min(60, first.length())) + "\")"));
    }
    if (asked == EditFormat.FIX_REWRITE) {
      return new EditAnswer.Region(lastBlock(text));
    }
    return new EditAnswer.Region(region(text));
  }

  /**
   * The code of the last fenced block of a fix: a model that explains the bug first may quote the
   * buggy lines in a block of their own, and the rewrite comes after it. Prose is never code here:
   * an answer without a closed block is refused ("the code is correct" in place of the function),
   * and so is one whose last block is cut off (an earlier block would be a guess).
   */
  static String lastBlock(String text) throws EditException {
    String last = null;
    int from = 0;
    while (true) {
      int open = text.indexOf("```", from);
      if (open < 0) {
        break;
      }
      int bodyStart = text.indexOf('\n', open);
      int close = bodyStart < 0 ? -1 : text.indexOf("\n```", bodyStart);
      if (close < 0) {
        throw new EditException(
            "the answer's last code block is not closed (missing ```); it may have been cut off");
      }
      last = text.substring(bodyStart + 1, close + 1);
      int closeEnd = text.indexOf('\n', close + 4);
      if (closeEnd < 0) {
        break;
      }
      from = closeEnd;
    }
    if (last == null) {
      String first = text.strip().lines().findFirst().orElse("");
      throw new EditException(
          "the answer has no code block"
              + (first.isEmpty()
                  ? ""
                  : " (it begins \"" + first.substring(0, Math.min(60, first.length())) + "\")"));
    }
    return last;
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

  /** The code of the first fenced block, or the whole answer if it has none. */
  static String region(String text) throws EditException {
    int open = text.indexOf("```");
    if (open < 0) {
      if (text.isBlank()) {
        throw new EditException("the answer is empty");
      }
      return text;
    }
    int bodyStart = text.indexOf('\n', open);
    if (bodyStart < 0) {
      throw new EditException("the answer opens a code block (```) but has nothing in it");
    }
    int close = text.indexOf("\n```", bodyStart);
    if (close < 0) {
      throw new EditException(
          "the answer's code block is not closed (missing ```); it may have been cut off");
    }
    return text.substring(bodyStart + 1, close + 1);
  }
}
