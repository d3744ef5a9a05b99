package dev.cromwell.edit;

import dev.cromwell.protocol.FimFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The next step of a fix whose first answer left the lines unchanged, before any second look, or
 * whose first answer changed other lines and kept this one as it stood: the model writes the line
 * it finds least likely ({@link SuspectLine}) again from the code around it, by fill-in-the-middle,
 * without seeing the line itself. Buggy code reads as unusual to a language model, and an unusual
 * line is also one the model would not have written there; asked for the line between the code
 * before and after it, the model writes what it expects, which for a swapped operator, an off-by-one
 * bound, a dropped condition or a wrong name is the intended line. In conversation the same model
 * often reads such a line as right (it answers "no change" twice), so filling it in finds bugs that
 * asking about them does not (the 0.5B's fix tasks: 5 of 40 without, 23 with; docs/QUALITY.md). And
 * a line the model writes exactly as it stands is one it would have written there: no bug to it
 * ({@link Outcome#confirmed}), where asking again mostly changed correct code.
 *
 * <p>The new line must be a correction of the old one, not other code: it is taken only when the
 * model ended it itself (never a line cut by a limit), it is code (not blank, not a comment), it
 * differs from the old line outside string literals, it has the old line's shape (the same
 * statement start: leading closing brackets, keywords and dotted name, or the same assignment
 * target; the same bracket balance; the same last character where that is {@code : ; { , ( \})
 * and it repeats no other line of the file (fill-in-the-middle may write the next line, or a loop
 * where a condition stood, instead of the gap). It keeps the old line's indentation and line end.
 * Anything else leaves the file as it was (and an unchanged answer to its second look).
 */
final class SuspectLineRefill {
  private static final Pattern STATEMENT_START =
      Pattern.compile(
          "^[)\\]}\\s]*(?:else\\s+if\\b|[\\p{L}_][\\p{L}\\p{N}_]*(?:\\s*\\.\\s*[\\p{L}_][\\p{L}\\p{N}_]*)*)");
  private static final Pattern STRING_LITERAL =
      Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");

  private SuspectLineRefill() {}

  /**
   * What a fill came to: the file ({@code text}, changed only when the model's line was taken),
   * whether the model wrote the suspect line as it stands ({@code confirmed}): asked what belongs
   * between the code around it, the model writes that very line, so it is no bug to the model; and
   * the step that tells the line taken ({@code filled}, null when none was), which the caller tells
   * only if it keeps that line (a one-token repair may go before it).
   */
  record Outcome(String text, boolean confirmed, FixStep.Filled filled) {
    Outcome(String text, boolean confirmed) {
      this(text, confirmed, null);
    }
  }

  /**
   * {@code text} with {@code suspect}'s line written again by {@code model}, or {@code text} itself
   * (confirmed when the model wrote the line as it stands) when the model cannot fill in the middle
   * or the model's line is not taken (see the class); {@code steps} hears which, but for a line
   * taken, whose step the outcome holds ({@link Outcome#filled}). The caller asks only about a line
   * unlikely enough ({@link SuspectLine#unlikelyEnough}).
   */
  static Outcome refill(
      EditModel model,
      String path,
      String text,
      SuspectLine suspect,
      BooleanSupplier cancelled,
      Consumer<FixStep> steps) {
    if (suspect == null) {
      return new Outcome(text, false);
    }
    FimFormat fim = model.fimFormat();
    if (fim == FimFormat.PREFIX_ONLY) {
      steps.accept(new FixStep.NotFilled(suspect.line(), "the model cannot fill in the middle"));
      return new Outcome(text, false);
    }
    int start = EditService.offsetOfLine(text, suspect.line() - 1);
    String old = suspect.text();
    int end = start + old.length();
    if (end > text.length() || !text.startsWith(old, start)) {
      // Not the file it was scored in: nothing to say about its lines.
      return new Outcome(text, false);
    }
    boolean crlf = old.endsWith("\r");
    String indent = old.substring(0, old.length() - old.stripLeading().length());
    // The indentation goes in the prompt, so the model writes only the line's code, as at an
    // indented empty line in an editor.
    String prefix = text.substring(0, start) + indent;
    String suffix = text.substring(crlf ? end - 1 : end);
    List<FimFormat.Part> parts = fim.render(path, prefix, suffix, List.of(), "#");
    int maxTokens = model.countTokens(old) * 2 + 16;
    String answer = model.fill(parts, maxTokens, List.of("\n"), cancelled);
    if (cancelled.getAsBoolean()) {
      return new Outcome(text, false); // the caller says the edit was cancelled
    }
    if (answer == null) {
      steps.accept(
          new FixStep.NotFilled(
              suspect.line(),
              "no whole line came back (cut by a token or time limit, or the queue was full)"));
      return new Outcome(text, false);
    }
    int newline = answer.indexOf('\n');
    String code = (newline < 0 ? answer : answer.substring(0, newline)).strip();
    if (sameCode(code, old.strip())) {
      steps.accept(new FixStep.LineConfirmed(suspect.line()));
      return new Outcome(text, true);
    }
    if (!corrects(code, old.strip(), text.substring(0, start), text.substring(end))) {
      steps.accept(
          new FixStep.NotFilled(
              suspect.line(), "the model's line `" + code + "` is not a correction of it"));
      return new Outcome(text, false);
    }
    return new Outcome(
        text.substring(0, start) + indent + code + (crlf ? "\r" : "") + text.substring(end),
        false,
        new FixStep.Filled(suspect.line(), old.strip(), code));
  }

  /**
   * Whether {@code code} may replace {@code old}, between {@code before} and {@code after} in the
   * file, as its correction (see the class).
   */
  static boolean corrects(String code, String old, String before, String after) {
    if (code.isEmpty() || code.startsWith("#") || code.startsWith("//")) {
      return false;
    }
    if (sameCode(code, old)) {
      return false;
    }
    Set<String> otherLines = otherLines(before + after);
    return statementStart(code).equals(statementStart(old))
        && bracketBalance(code) == bracketBalance(old)
        && lastMark(code) == lastMark(old)
        && !otherLines.contains(code)
        && !onlyRenames(code, old)
        && dropsNoBindingInUse(code, old, otherLines, after);
  }

  /** The same code but for spaces, or for a change only inside a string literal. */
  private static boolean sameCode(String code, String old) {
    return withoutStrings(code)
        .replaceAll("\\s+", "")
        .equals(withoutStrings(old).replaceAll("\\s+", ""));
  }

  /**
   * Whether the two lines differ only in the names a loop, comprehension or lambda binds on them
   * ({@code [x for x in xs]} against {@code [s for s in xs]}): the same computation, no correction.
   */
  private static boolean onlyRenames(String code, String old) {
    return LineBindings.withScopedNamesNumbered(codeOnly(code))
        .replaceAll("\\s+", "")
        .equals(LineBindings.withScopedNamesNumbered(codeOnly(old)).replaceAll("\\s+", ""));
  }

  /** The names {@code line} binds (assignment and loop targets and the like), strings aside. */
  static Set<String> bindings(String line) {
    return LineBindings.boundBy(codeOnly(line));
  }

  /** {@code text} without its string literals and comments: what its names are read from. */
  private static String codeOnly(String text) {
    return LineBindings.code(withoutStrings(text));
  }

  /**
   * Whether every name the old line binds that the code after it uses is still bound, by the new
   * line or elsewhere in the file: a loop rewritten as {@code for idx in range(…)} that drops the
   * {@code elem} the body reads fails with a NameError, whatever it corrects.
   */
  private static boolean dropsNoBindingInUse(
      String code, String old, Set<String> otherLines, String after) {
    Set<String> dropped = new java.util.LinkedHashSet<>(LineBindings.outliving(codeOnly(old)));
    dropped.removeAll(LineBindings.boundBy(codeOnly(code)));
    String below = codeOnly(untilTopLevel(after));
    for (String name : dropped) {
      if (LineBindings.uses(below, name) && !LineBindings.boundIn(name, otherLines)) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code after} up to its first line of code at the file's top level: the rest of the function or
   * class that holds the line, where a name it bound is still in scope.
   */
  private static String untilTopLevel(String after) {
    String[] lines = after.split("\n", -1);
    StringBuilder kept = new StringBuilder();
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      boolean topLevel = i > 0 && !line.isBlank() && !Character.isWhitespace(line.charAt(0));
      if (topLevel) {
        break;
      }
      kept.append(line).append('\n');
    }
    return kept.toString();
  }

  /**
   * What a line starts: its leading closing brackets, keywords and dotted name ({@code } else if},
   * {@code return}, {@code self.total}), or for an assignment the whole target ({@code
   * counts[key]}); the first character when it starts with no name.
   */
  private static String statementStart(String code) {
    String target = assignmentTarget(code);
    if (target != null) {
      return target.replaceAll("\\s+", "");
    }
    Matcher m = STATEMENT_START.matcher(code);
    return m.find() ? code.substring(0, m.end()).replaceAll("\\s+", "") : code.substring(0, 1);
  }

  /** The text before an assignment's {@code =} (or {@code +=} and the like), or null for none. */
  private static String assignmentTarget(String code) {
    String masked = withoutStrings(code);
    int depth = 0;
    for (int i = 0; i < masked.length(); i++) {
      char c = masked.charAt(i);
      if (c == '(' || c == '[' || c == '{') {
        depth++;
      } else if (c == ')' || c == ']' || c == '}') {
        depth--;
      } else if (c == '=' && depth == 0) {
        boolean comparison =
            (i + 1 < masked.length() && masked.charAt(i + 1) == '=')
                || (i > 0 && "=!<>".indexOf(masked.charAt(i - 1)) >= 0);
        if (comparison) {
          i++;
          continue;
        }
        int targetEnd = i;
        while (targetEnd > 0 && "+-*/%&|^@:".indexOf(masked.charAt(targetEnd - 1)) >= 0) {
          targetEnd--; // an augmented assignment: the target is before its operator
        }
        return masked.substring(0, targetEnd).strip();
      }
    }
    return null;
  }

  private static int bracketBalance(String code) {
    String masked = withoutStrings(code);
    int balance = 0;
    for (int i = 0; i < masked.length(); i++) {
      char c = masked.charAt(i);
      balance += "([{".indexOf(c) >= 0 ? 1 : ")]}".indexOf(c) >= 0 ? -1 : 0;
    }
    return balance;
  }

  /** The line's last character where it marks the statement's shape, else a space. */
  private static char lastMark(String code) {
    char last = code.charAt(code.length() - 1);
    return ":;{,(\\".indexOf(last) >= 0 ? last : ' ';
  }

  /** {@code code} with every string literal's content taken out (its quotes kept). */
  private static String withoutStrings(String code) {
    return STRING_LITERAL.matcher(code).replaceAll(m -> m.group().charAt(0) == '"' ? "\"\"" : "''");
  }

  /** The file's other lines, stripped: a fill that repeats one copies code, it corrects none. */
  private static Set<String> otherLines(String others) {
    Set<String> lines = new HashSet<>();
    for (String line : others.split("\n")) {
      lines.add(line.strip());
    }
    return lines;
  }
}
