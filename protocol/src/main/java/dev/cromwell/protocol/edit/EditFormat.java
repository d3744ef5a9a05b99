package dev.cromwell.protocol.edit;

/**
 * How an instruct model is asked to answer an edit, chosen per model size by measurement
 * (docs/QUALITY.md, "Edit format per model size"). Qwen2.5-Coder-0.5B-Instruct on the same 10 fix
 * and 10 docstring tasks (bin/eval --bench edit --limit 10, seed 22, 3 Dec 2026):
 *
 * <ul>
 *   <li>REWRITE: fix 2/10, docstring 9/10 (the failures: 7 functions returned with the bug still in
 *       them, 1 TypeError; one docstring missing);
 *   <li>SEARCH_REPLACE: fix 0/10 — all ten answers were "SEARCH" followed by prose about the bug
 *       (twice naming the right fix) and no block; docstring 9/10.
 * </ul>
 *
 * So the 0.5B rewrites. Qwen2.5-Coder-1.5B-Instruct on the same 10 fix tasks (--modes fix, 3 Dec
 * 2026): REWRITE 7/10, SEARCH_REPLACE 7/10, the same seven tasks passing and the same three failing
 * (AssertionError) — a tie, so the 1.5B rewrites too (its docstring tasks were not run in either
 * format). No model has been measured better with SEARCH/REPLACE, so {@link #SEARCH_REPLACE_FROM}
 * stays out of reach until one is.
 */
public enum EditFormat {
  /** The rewritten region in one fenced code block. */
  REWRITE,
  /** SEARCH/REPLACE blocks anchored in the file. */
  SEARCH_REPLACE,
  /**
   * The rewritten region in one fenced code block, asked for with {@link EditPrompts#SYSTEM_FIX}:
   * for instructions that ask to fix an unnamed bug ({@link FixInstruction}), never chosen by size.
   * The answer's last block is the region and an answer without one is refused, so prose about the
   * bug never takes the function's place.
   */
  FIX_REWRITE;

  /**
   * Models with at least this many parameters answer with SEARCH/REPLACE blocks: none, since
   * REWRITE won at 0.5B (fix 2/10 against 0/10, docstring 9/10 both) and tied at 1.5B (fix 7/10
   * both); larger sizes are unmeasured.
   */
  static final long SEARCH_REPLACE_FROM = Long.MAX_VALUE;

  /** The format for a model of {@code parameters} weights (0 when unknown: REWRITE). */
  public static EditFormat forParameters(long parameters) {
    return parameters >= SEARCH_REPLACE_FROM ? SEARCH_REPLACE : REWRITE;
  }

  /**
   * The format to ask for {@code instruction} when edits are otherwise asked for in this one: a
   * rewrite that fixes an unnamed bug tells the model there is one (measured in docs/QUALITY.md,
   * "Fix tasks").
   */
  public EditFormat forInstruction(String instruction) {
    return this == REWRITE && FixInstruction.accepts(instruction) ? FIX_REWRITE : this;
  }

  /** The system message that asks for this format. */
  public String system() {
    return switch (this) {
      case REWRITE -> EditPrompts.SYSTEM;
      case FIX_REWRITE -> EditPrompts.SYSTEM_FIX;
      case SEARCH_REPLACE ->
          "You are Cromwell, a precise code editor. Change only what the instruction asks, inside"
              + " the requested lines. Answer with SEARCH/REPLACE blocks and nothing else:\n"
              + "<<<<<<< SEARCH\n(lines copied exactly from the file)\n=======\n(the new lines)\n"
              + ">>>>>>> REPLACE";
    };
  }
}
