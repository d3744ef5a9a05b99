package dev.cromwell.protocol.edit;

/**
 * Prompts for edits. The mission's region format for Cromwell's own and base models; a chat
 * conversation for instruct models (rendered with their template by {@link ChatTemplate}).
 */
public final class EditPrompts {
  private EditPrompts() {}

  /**
   * The region format: the file inside {@code <FILE=path>…</FILE>}, then {@code
   * <EDIT_START=path:l1:l2>} instruction {@code <EDIT_END>}; the model answers with the rewritten
   * lines l1..l2 (1-based, inclusive).
   */
  public static String region(
      String path, String fileText, int firstLine, int lastLine, String instruction) {
    return "<FILE="
        + path
        + ">\n"
        + fileText
        + (fileText.endsWith("\n") ? "" : "\n")
        + "</FILE>\n"
        + "<EDIT_START="
        + path
        + ":"
        + firstLine
        + ":"
        + lastLine
        + ">\n"
        + instruction.strip()
        + "\n<EDIT_END>\n";
  }

  /** The system message of chat prompts. */
  public static final String SYSTEM =
      "You are Cromwell, a precise code editor. Rewrite only the requested lines. Answer with the"
          + " rewritten lines in one fenced code block and nothing else.";

  /**
   * The system message for a fix whose bug is not named ({@link EditFormat#FIX_REWRITE}): the model
   * is told that the lines have a bug, measured by what they do against their docstring, and to
   * change only the wrong line. Told only "fix the bug", Qwen2.5-Coder-1.5B copied the function
   * back unchanged in 14 of its 16 misses on 40 tasks (docs/QUALITY.md, "Fix tasks").
   */
  public static final String SYSTEM_FIX =
      "You are Cromwell, a precise code editor. The requested lines have a bug: they do not do"
          + " what their docstring and examples say. Find the wrong line and correct it, changing"
          + " nothing else. Answer with the rewritten lines in one fenced code block and nothing"
          + " else.";

  /**
   * The second user turn of a fix whose first answer left the lines as they were ({@link
   * EditFormat#FIX_REWRITE} only, asked once): the model's unchanged answer stays in the
   * conversation and it is told again that a line is wrong, and how to find it (docs/QUALITY.md,
   * "Fix tasks: a second look at an unchanged answer").
   */
  public static final String FIX_UNCHANGED =
      "Those lines are unchanged, so the bug is still in them: one line does not do what the"
          + " docstring and its examples say. In one sentence, name that line and what it must be"
          + " instead. Then answer with the corrected lines in one fenced code block.";

  /**
   * The third user turn of a fix: after {@link #FIX_UNCHANGED} the model mostly answers with the
   * sentence alone, naming a line and its correction in prose, which is never applied as code.
   */
  public static final String FIX_NAMED =
      "Now answer with all the requested lines, with that line corrected, in one fenced code"
          + " block.";

  /**
   * The user message of chat prompts: the file, the region and the instruction. Their fences are
   * longer than any fence in the file (a Markdown file's own code blocks would otherwise end the
   * quoted file early), and a model answers with a fence as long.
   */
  public static String chatUser(
      String path,
      String fileText,
      int firstLine,
      int lastLine,
      String region,
      String instruction) {
    String fence = fenceAround(fileText);
    return chatFileHead(path, fileText)
        + fileText
        + (fileText.endsWith("\n") ? "" : "\n")
        + fence
        + "\n\n"
        + "Rewrite lines "
        + firstLine
        + "-"
        + lastLine
        + ":\n"
        + fence
        + "\n"
        + region
        + (region.endsWith("\n") ? "" : "\n")
        + fence
        + "\n\n"
        + "Instruction: "
        + instruction.strip();
  }

  /** What {@link #chatUser} puts before the file's text: its name and the fence that opens it. */
  public static String chatFileHead(String path, String fileText) {
    return "File " + path + ":\n" + fenceAround(fileText) + "\n";
  }

  /**
   * {@link #FIX_UNCHANGED} pointed at a line: the code line of the selection that the model itself
   * finds least likely where it stands (dev.cromwell.edit.SuspectLine). Buggy code reads as unusual
   * to a language model ("On the naturalness of buggy code", Ray et al. 2016): with one injected
   * bug in each of the first 40 HumanEval solutions, read as plain files, Qwen2.5-Coder-1.5B scored
   * the buggy line lowest of the solution's lines in 37 (docs/QUALITY.md). The answer is asked for
   * whole again, since a model pointed at one line tends to answer with that line alone.
   */
  public static String fixUnchanged(int line, String code) {
    return "Those lines are unchanged, so the bug is still in them: one line does not do what the"
        + " docstring and its examples say. Line "
        + line
        + " is the one that reads least like what the code around it expects: `"
        + code.strip()
        + "`. Check it first. In one sentence, name the wrong line and what it must be instead."
        + " Then answer with all the requested lines, that one corrected, in one fenced code"
        + " block.";
  }

  /**
   * Three backticks, or one more than the longest run of them that starts a line of {@code text}.
   */
  static String fenceAround(String text) {
    int longest = 0;
    for (String line : text.split("\n", -1)) {
      String s = line.stripLeading();
      int run = 0;
      while (run < s.length() && s.charAt(run) == '`') {
        run++;
      }
      longest = Math.max(longest, run);
    }
    return "`".repeat(Math.max(3, longest + 1));
  }
}
