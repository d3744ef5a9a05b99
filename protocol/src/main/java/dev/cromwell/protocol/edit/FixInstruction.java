package dev.cromwell.protocol.edit;

import java.util.regex.Pattern;

/**
 * Recognises instructions that ask to fix an unnamed bug ("fix the bug", "fix this", "find and fix
 * the error"): the model must find what is wrong itself, and is told so ({@link
 * EditFormat#FIX_REWRITE}). Like {@link DocOnlyInstruction} the rule is narrow: the whole
 * instruction must be one such request, so "fix the bug and add a docstring", "fix the off-by-one
 * in the loop" or a diagnostic's "Fix this problem reported at lines …" keep the ordinary path.
 */
public final class FixInstruction {
  private static final String DETERMINER = "(?:the|this|that|these|those|a|an|any|all|its|my|our)";
  private static final String NOUN =
      "(?:bugs?|errors?|issues?|problems?|mistakes?|faults?|defects?|code|function|method"
          + "|implementation|it|this|that|them)";
  private static final String WHERE =
      "(?:\\s+(?:in|of)\\s+(?:"
          + DETERMINER
          + "\\s+)?(?:it|this|that|code|function|method|implementation|selection))?";

  /** "[please] [find and] fix [determiners] [noun] [in this function] [please]". */
  private static final Pattern FIX =
      Pattern.compile(
          "(?:please\\s+)?(?:(?:find|spot|locate)\\s+and\\s+)?(?:fix|correct|repair|debug)(?:\\s+"
              + DETERMINER
              + ")*(?:\\s+"
              + NOUN
              + ")?"
              + WHERE
              + "(?:\\s+please)?");

  private FixInstruction() {}

  /** True when {@code instruction} asks to fix a bug and names neither the bug nor other work. */
  public static boolean accepts(String instruction) {
    String s = DocOnlyInstruction.normalized(instruction);
    return FIX.matcher(s).matches() && !DocOnlyInstruction.accepts(s);
  }
}
