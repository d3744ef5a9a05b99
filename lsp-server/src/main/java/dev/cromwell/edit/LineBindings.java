package dev.cromwell.edit;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names a line of code binds, read from its text as Python writes them: the targets of {@code
 * for … in} (a loop or a comprehension), of a plain or annotated assignment ({@code a, b = …},
 * {@code n += 1}, {@code x: int = 0}), of {@code :=}, {@code with … as} and a {@code lambda}'s
 * parameters. Lines of other languages mostly bind nothing this way, which only makes the checks
 * that use it ({@link SuspectLineRefill}) let more through.
 */
final class LineBindings {
  // Python's identifiers: a letter or _, then letters, marks (combining accents, Indic vowel
  // signs), digits and _.
  private static final String NAME = "[\\p{L}_][\\p{L}\\p{M}\\p{N}_]*";
  private static final String NAMES =
      "\\(?\\s*" + NAME + "(?:\\s*,\\s*" + NAME + ")*\\s*,?\\s*\\)?";
  private static final Pattern FOR_TARGETS = Pattern.compile("\\bfor\\s+(" + NAMES + ")\\s+in\\b");
  private static final Pattern LAMBDA = Pattern.compile("\\blambda\\s*([^:]*):");
  // A lambda parameter is the name that starts each of its comma-separated parts: in
  // `lambda x, k=lo:` the default `lo` is a use, not a parameter.
  private static final Pattern PARAMETER = Pattern.compile("(?:^|,)\\s*\\*{0,2}(" + NAME + ")");
  private static final Pattern FOR_STATEMENT =
      Pattern.compile("^\\s*(?:async\\s+)?for\\s+(" + NAMES + ")\\s+in\\b");
  private static final Pattern ANNOTATED = Pattern.compile("^\\s*(" + NAME + ")\\s*:[^=]+=(?!=)");
  private static final Pattern WALRUS = Pattern.compile("(" + NAME + ")\\s*:=");
  private static final Pattern WITH_AS = Pattern.compile("\\bas\\s+(" + NAME + ")");
  private static final Pattern ASSIGNED =
      Pattern.compile("^\\s*(" + NAMES + ")\\s*(?:[-+*/%&|^@]|//|\\*\\*|<<|>>)?=(?!=)");
  private static final Pattern A_NAME = Pattern.compile(NAME);

  private LineBindings() {}

  /** Every name {@code line} binds (see the class). */
  static Set<String> boundBy(String line) {
    Set<String> names = new LinkedHashSet<>(scoped(line));
    names.addAll(outliving(line));
    return names;
  }

  /**
   * The names {@code line} binds that stay bound after it: a {@code for} statement's targets,
   * assignment targets, {@code :=} and {@code with … as}; a comprehension's or lambda's names end
   * with their expression.
   */
  static Set<String> outliving(String line) {
    Set<String> names = new LinkedHashSet<>();
    addNames(names, FOR_STATEMENT.matcher(line), 1);
    addNames(names, ASSIGNED.matcher(line), 1);
    addNames(names, ANNOTATED.matcher(line), 1);
    addNames(names, WALRUS.matcher(line), 1);
    addNames(names, WITH_AS.matcher(line), 1);
    return names;
  }

  /**
   * The names bound by a comprehension or lambda on the line, in the order they are bound: those a
   * rewrite may rename without changing what the line computes, if it renames every use on the line
   * too. A {@code for} statement's names are not among them: the code after the line reads them, so
   * renaming them there changes the function.
   */
  static Set<String> scoped(String line) {
    Set<String> names = new LinkedHashSet<>();
    Matcher statement = FOR_STATEMENT.matcher(line);
    int statementTargets = statement.find() ? statement.start(1) : -1;
    Matcher targets = FOR_TARGETS.matcher(line);
    while (targets.find()) {
      if (targets.start(1) != statementTargets) {
        Matcher name = A_NAME.matcher(targets.group(1));
        while (name.find()) {
          names.add(name.group());
        }
      }
    }
    Matcher lambda = LAMBDA.matcher(line);
    while (lambda.find()) {
      Matcher parameter = PARAMETER.matcher(lambda.group(1));
      while (parameter.find()) {
        names.add(parameter.group(1));
      }
    }
    return names;
  }

  /** {@code text} without its {@code #} comments (string literals' contents already taken out). */
  static String code(String text) {
    return text.replaceAll("#[^\\n]*", "");
  }

  /**
   * Whether {@code name} is bound by one of {@code lines} or is a parameter of a definition among
   * them.
   */
  static boolean boundIn(String name, Iterable<String> lines) {
    Pattern parameter =
        Pattern.compile(
            "\\bdef\\s+"
                + NAME
                + "\\s*\\([^)]*(?<![\\p{L}\\p{M}\\p{N}_])"
                + Pattern.quote(name)
                + "(?![\\p{L}\\p{M}\\p{N}_])");
    for (String line : lines) {
      if (outliving(code(line)).contains(name) || parameter.matcher(line).find()) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code name} stands as a word in {@code text}. */
  static boolean uses(String text, String name) {
    return Pattern.compile(
            "(?<![\\p{L}\\p{M}\\p{N}_.])" + Pattern.quote(name) + "(?![\\p{L}\\p{M}\\p{N}_])")
        .matcher(text)
        .find();
  }

  /**
   * {@code line} with the names it binds by comprehension or lambda ({@link #scoped}) written as
   * their place in binding order, so that two lines that differ only in such names read the same,
   * and a line that uses one bound name where another was ({@code [x for x, y in p if y]} against
   * {@code [y for x, y in p if y]}) differs in that use alone.
   */
  static String withScopedNamesNumbered(String line) {
    Map<String, String> numbered = new HashMap<>();
    for (String name : scoped(line)) {
      numbered.put(name, "\u0000" + numbered.size());
    }
    StringBuilder out = new StringBuilder();
    Matcher m = A_NAME.matcher(line);
    int last = 0;
    while (m.find()) {
      if (m.start() > 0 && isNamePart(line.charAt(m.start() - 1))) {
        continue; // the tail of a number such as 1e5 or of a longer word
      }
      out.append(line, last, m.start());
      String name = m.group();
      out.append(numbered.getOrDefault(name, name));
      last = m.end();
    }
    return out.append(line.substring(last)).toString();
  }

  private static boolean isNamePart(char c) {
    int type = Character.getType(c);
    return Character.isLetterOrDigit(c)
        || c == '_'
        || type == Character.NON_SPACING_MARK
        || type == Character.COMBINING_SPACING_MARK;
  }

  private static void addNames(Set<String> names, Matcher m, int group) {
    while (m.find()) {
      Matcher name = A_NAME.matcher(m.group(group));
      while (name.find()) {
        names.add(name.group());
      }
    }
  }
}
