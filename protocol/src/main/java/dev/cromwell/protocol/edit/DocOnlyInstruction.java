package dev.cromwell.protocol.edit;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Recognises instructions that ask only for documentation ("add a docstring", "document this
 * function", "write doc comments"), whose edits must leave every line of code as it was. The rule
 * is deliberately narrow: the whole instruction must be one such request, so anything that also
 * asks for a code change ("fix the bug and add a docstring", "add a docstring and type hints")
 * keeps the ordinary edit path.
 */
public final class DocOnlyInstruction {
  private static final String DETERMINER =
      "(?:a|an|the|some|this|these|that|its|their|my|our|proper|good|short|brief|concise|clear"
          + "|detailed|complete|full|one-line|single-line|multi-line|multiline|google-style"
          + "|numpy-style|sphinx-style|pep ?257|standard)";
  private static final String NOUN =
      "(?:docstrings?|doc[- ]strings?|doc[- ]?comments?|docs"
          + "|(?:documentation|javadoc|jsdoc|tsdoc|godoc|rustdoc|doxygen)s?(?: comments?)?)";
  private static final String TARGET =
      "(?:it|them|function|functions|method|methods|class|classes|code|selection|module|type"
          + "|types|interface|struct|constructor|everything|each one|each|all)";

  /** "docstring or doc comment": one kind of documentation named two ways. */
  private static final String NOUNS = NOUN + "(?:(?:\\s+or\\s+|\\s*/\\s*)" + NOUN + ")?";

  private static final String WHERE =
      "(?:\\s+(?:to|for|on|in|of|above|at)\\s+(?:(?:"
          + DETERMINER
          + "|each|every|all|selected)\\s+)*"
          + TARGET
          + ")?";

  /**
   * "… Change nothing else.": a second sentence that only confirms the request is documentation
   * alone (the code action's own wording).
   */
  private static final String NOTHING_ELSE =
      "(?:[.,;]?\\s+(?:and\\s+)?(?:change|touch|modify|edit)\\s+nothing\\s+else"
          + "|[.,;]?\\s+(?:do not|don't)\\s+(?:change|touch|modify|edit)\\s+anything\\s+else)?";

  private static final String VERB = "(?:add|write|generate|create|insert|give|put|include)";

  /**
   * "[please] [verb] [determiners] noun [or noun] [to this function] [please] [change nothing
   * else]".
   */
  private static final Pattern ADD_DOCS =
      Pattern.compile(
          "(?:please\\s+)?(?:"
              + VERB
              + "\\s+)?(?:"
              + DETERMINER
              + "\\s+)*"
              + NOUNS
              + WHERE
              + "(?:\\s+please)?"
              + NOTHING_ELSE);

  /** "[please] document [this function] [please] [change nothing else]". */
  private static final Pattern DOCUMENT =
      Pattern.compile(
          "(?:please\\s+)?document(?:\\s+(?:(?:"
              + DETERMINER
              + "|each|every|all|selected)\\s+)*"
              + TARGET
              + ")?(?:\\s+please)?"
              + NOTHING_ELSE);

  private DocOnlyInstruction() {}

  /** True when {@code instruction} asks for documentation and nothing else. */
  public static boolean accepts(String instruction) {
    String s = normalized(instruction);
    return ADD_DOCS.matcher(s).matches() || DOCUMENT.matcher(s).matches();
  }

  /**
   * {@code instruction} as the instruction rules read it (here and {@link FixInstruction}): lower
   * case, straight apostrophes, single spaces, no closing full stop or exclamation mark.
   */
  static String normalized(String instruction) {
    return instruction
        .strip()
        .toLowerCase(Locale.ROOT)
        .replace('\u2019', '\'')
        .replaceAll("[.!]+$", "")
        .replaceAll("\\s+", " ")
        .strip();
  }
}
