package dev.cromwell.protocol.edit;

/**
 * How an instruct model is asked to answer an edit, chosen per model size. Measured so far
 * (docs/QUALITY.md): Qwen2.5-Coder-0.5B rewriting the region passes 9/10 docstring tasks with no
 * refusal; SEARCH/REPLACE needs SEARCH text copied exactly, which weak models garble. Models from
 * {@link #SEARCH_REPLACE_FROM} parameters up would answer with SEARCH/REPLACE blocks; that
 * threshold stays out of reach until a larger model is measured better with them.
 */
public enum EditFormat {
  /** The rewritten region in one fenced code block. */
  REWRITE,
  /** SEARCH/REPLACE blocks anchored in the file. */
  SEARCH_REPLACE;

  /** Models with at least this many parameters answer with SEARCH/REPLACE blocks (none yet). */
  static final long SEARCH_REPLACE_FROM = Long.MAX_VALUE;

  /** The format for a model of {@code parameters} weights (0 when unknown: REWRITE). */
  public static EditFormat forParameters(long parameters) {
    return parameters >= SEARCH_REPLACE_FROM ? SEARCH_REPLACE : REWRITE;
  }

  /** The system message that asks for this format. */
  public String system() {
    return switch (this) {
      case REWRITE -> EditPrompts.SYSTEM;
      case SEARCH_REPLACE ->
          "You are Cromwell, a precise code editor. Change only what the instruction asks, inside"
              + " the requested lines. Answer with SEARCH/REPLACE blocks and nothing else:\n"
              + "<<<<<<< SEARCH\n(lines copied exactly from the file)\n=======\n(the new lines)\n"
              + ">>>>>>> REPLACE";
    };
  }
}
