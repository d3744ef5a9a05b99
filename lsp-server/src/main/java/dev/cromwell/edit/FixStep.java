package dev.cromwell.edit;

import java.util.Locale;

/**
 * A step a "fix the bug" edit took beyond its first answer, told to the caller as it happens
 * ({@link EditService#edit(EditService.Request, java.util.function.BooleanSupplier,
 * java.util.function.Consumer)}): {@code cromwell edit} prints them, so that a user sees when a
 * changed line is the model's guess rather than its answer, and {@code bin/eval} records them per
 * task, which is how the suspect's threshold ({@code SuspectLine.UNLIKELY_BELOW}) was calibrated.
 */
public sealed interface FixStep {
  /** One sentence for a person, naming the line. */
  String describe();

  /**
   * Whether front doors tell the user ({@code cromwell edit} on stderr, the HTTP edit's {@code
   * notes}): which line scored least likely matters to a user only through what was done about it
   * (asked again, or not for want of an unlikely line), and those steps name it.
   */
  default boolean toldToUsers() {
    return true;
  }

  /**
   * A step that wrote a line of the answer by a guess, not the model's answer to the instruction:
   * the last one that a fix tells is the line the user should check.
   */
  sealed interface Guess extends FixStep {}

  /**
   * The selection's code line the model finds least likely ({@link SuspectLine}).
   *
   * @param lowest the natural log-probability of the line's least likely token
   */
  record Suspected(int line, String text, double lowest) implements FixStep {
    @Override
    public boolean toldToUsers() {
      return false;
    }

    @Override
    public String describe() {
      return "line "
          + line
          + " reads least likely to the model (its least likely token: log-probability "
          + String.format(Locale.ROOT, "%.2f", lowest)
          + ")";
    }
  }

  /**
   * The first answer left the lines unchanged, so the model was asked once more, pointed at line
   * {@code namedLine} (0 when no line could be scored).
   */
  record AskedAgain(int namedLine) implements FixStep {
    @Override
    public String describe() {
      return "the first answer changed nothing; asked again"
          + (namedLine > 0 ? ", pointed at line " + namedLine : "");
    }
  }

  /**
   * The first answer left the lines unchanged, and no line reads unlikely enough to the model to be
   * the bug: the least likely, {@code line}, scored {@code lowest}, not below {@code threshold}
   * ({@code SuspectLine.unlikelyEnough}). No second look, which on likely code mostly changed
   * correct lines: the unchanged answer stands.
   */
  record NothingSuspect(int line, double lowest, double threshold) implements FixStep {
    @Override
    public String describe() {
      return "the first answer changed nothing, and no line reads unusual enough to the model to"
          + " look again"
          + String.format(
              Locale.ROOT,
              " (least likely: line %d, log-probability %.2f, not below %.2f)",
              line,
              lowest,
              threshold);
    }
  }

  /**
   * The suspect line was written again by fill-in-the-middle, and taken (no second look follows):
   * after a first answer that changed nothing, or one that kept the line ({@link SuspectKept});
   * told only when no one-token repair ({@link Repaired}) went before it.
   */
  record Filled(int line, String before, String after) implements Guess {
    @Override
    public String describe() {
      return "line "
          + line
          + " written again from the code around it (fill-in-the-middle), a guess to check";
    }
  }

  /**
   * The suspect line's fill was not taken, for {@code why}: a one-token repair may follow ({@link
   * Repaired}); without one, after a first answer that changed nothing a second look follows, and
   * one that kept the line ({@link SuspectKept}) stands.
   */
  record NotFilled(int line, String why) implements FixStep {
    @Override
    public String describe() {
      return "line " + line + " not written again from the code around it: " + why;
    }
  }

  /**
   * Asked to write the suspect line from the code around it, the model wrote it as it stands: no
   * bug to the model, so the first answer stands, unchanged or one that kept the line ({@link
   * SuspectKept}); no second look, which on correct code mostly broke it.
   */
  record LineConfirmed(int line) implements FixStep {
    @Override
    public String describe() {
      return "written from the code around it, line "
          + line
          + " comes out as it stands: the first answer stands";
    }
  }

  /**
   * The first answer changed other lines and left the suspect line, {@code line} of the file
   * ({@code now} of the answer), as it stood: it is written again from the code around it.
   */
  record SuspectKept(int line, int now) implements FixStep {
    @Override
    public String describe() {
      return "the first answer changed other lines and kept line "
          + line
          + (now != line ? " (line " + now + " of the answer)" : "")
          + ", which reads least likely to the model: writing it again from the code around it";
    }
  }

  /**
   * The suspect line's least likely token, or the one before it, was taken out or swapped for one
   * the model expected there, a one-token change after which the line reads likely to it ({@link
   * SuspectTokenRepair}); taken over a fill of the line, when there was one.
   *
   * @param lowest the repaired line's least likely token (with the lines after it), log-probability
   * @param overFill the fill's line that the repair went before, or null when no fill was taken
   */
  record Repaired(int line, String before, String after, double lowest, String overFill)
      implements Guess {
    @Override
    public String describe() {
      return "line "
          + line
          + " changed by one token, to `"
          + after
          + "`, after which the model finds it likely: a guess to check";
    }
  }

  /**
   * The first answer rewrote the suspect line otherwise than its one-token repair ({@link
   * SuspectTokenRepair}), and the lines it wrote read no likelier to the model, in the file, than
   * the repaired line: the repair is taken instead of the answer. A first answer mostly rewrites a
   * wrong line well, and then reads likelier or brings the repair's line itself; where it kept the
   * bug in other words ({@code return not x if ...} as {@code return [x if not ...]}) it reads as
   * unlikely, or more (docs/QUALITY.md, "Fix tasks: a repair over the answer").
   *
   * @param lowest the repaired line's least likely token (with the lines after it), log-probability
   * @param answerLowest the least likely token of the answer's changed lines (with the lines after
   *     them)
   */
  record RepairedOverAnswer(
      int line, String before, String after, double lowest, double answerLowest) implements Guess {
    @Override
    public String describe() {
      return "line "
          + line
          + " changed by one token, to `"
          + after
          + "`, instead of the first answer's rewrite, which the model finds no likelier: a guess"
          + " to check";
    }
  }
}
