package dev.cromwell.benchmarks.eval;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Deterministic bugs in a canonical solution, one kind at a time: a swapped operator, an off-by-one
 * constant, a wrong variable, a dropped condition, a wrong return. Candidates come in an order
 * fixed by the seed and the problem; the caller keeps the first that the tests catch.
 */
public final class BugInjector {
  /** The kinds of bug. */
  public enum Kind {
    OPERATOR_SWAP,
    OFF_BY_ONE,
    WRONG_VARIABLE,
    DROPPED_CONDITION,
    WRONG_RETURN
  }

  /** A solution with one bug, and the line it is on (1-based, within the solution). */
  public record Bug(Kind kind, String solution, int line) {}

  private static final String[][] OPERATORS = {
    {" <= ", " < "}, {" < ", " <= "}, {" >= ", " > "}, {" > ", " >= "}, {" == ", " != "},
    {" != ", " == "}, {" + ", " - "}, {" - ", " + "}, {" and ", " or "}, {" or ", " and "},
    {" * ", " + "}, {" // ", " % "}, {" % ", " // "}
  };
  private static final Pattern NUMBER = Pattern.compile("(?<![\\w.])(\\d+)(?![\\w.])");
  private static final Pattern ASSIGNED =
      Pattern.compile("^\\s*(?:for\\s+)?([A-Za-z_]\\w*)\\s*(?:=[^=]|in\\b|\\+=|-=)");
  private static final Pattern CONDITION = Pattern.compile("^(\\s*)(if|elif|while) (.+):\\s*$");
  private static final Pattern RETURN = Pattern.compile("^(\\s*)return (.+)$");

  private BugInjector() {}

  /** Every candidate bug of {@code p}, in the seeded order. */
  public static List<Bug> candidates(Problem p, long seed) {
    Random random = new Random(seed * 7_919L + p.number());
    List<String> lines = FimTask.lines(p.canonicalSolution());
    List<Kind> kinds = new ArrayList<>(List.of(Kind.values()));
    java.util.Collections.shuffle(kinds, random);
    List<Bug> out = new ArrayList<>();
    for (Kind kind : kinds) {
      List<Bug> ofKind = new ArrayList<>();
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        if (line.strip().startsWith("#") || line.isBlank()) {
          continue;
        }
        for (String mutated : mutate(kind, line, names(p))) {
          List<String> copy = new ArrayList<>(lines);
          copy.set(i, mutated);
          ofKind.add(new Bug(kind, String.join("", copy), i + 1));
        }
      }
      java.util.Collections.shuffle(ofKind, random);
      out.addAll(ofKind);
    }
    return out;
  }

  private static List<String> mutate(Kind kind, String line, List<String> names) {
    List<String> out = new ArrayList<>();
    String code = line.stripTrailing();
    String end = line.substring(code.length());
    switch (kind) {
      case OPERATOR_SWAP -> {
        for (String[] op : OPERATORS) {
          int at = code.indexOf(op[0]);
          if (at >= 0 && !insideString(code, at)) {
            out.add(code.substring(0, at) + op[1] + code.substring(at + op[0].length()) + end);
          }
        }
      }
      case OFF_BY_ONE -> {
        Matcher m = NUMBER.matcher(code);
        while (m.find()) {
          if (!insideString(code, m.start())) {
            long n = Long.parseLong(m.group(1));
            out.add(code.substring(0, m.start()) + (n + 1) + code.substring(m.end()) + end);
          }
        }
      }
      case WRONG_VARIABLE -> {
        for (String a : names) {
          Matcher m =
              Pattern.compile("(?<![\\w.])" + Pattern.quote(a) + "(?![\\w(])").matcher(code);
          if (m.find() && !insideString(code, m.start())) {
            for (String b : names) {
              if (!b.equals(a)) {
                out.add(code.substring(0, m.start()) + b + code.substring(m.end()) + end);
                break;
              }
            }
          }
        }
      }
      case DROPPED_CONDITION -> {
        Matcher m = CONDITION.matcher(code);
        if (m.matches()) {
          String cond = m.group(3);
          int and = cond.lastIndexOf(" and ");
          int or = cond.lastIndexOf(" or ");
          String head = m.group(1) + m.group(2) + " ";
          if (and > 0 && !insideString(cond, and)) {
            out.add(head + cond.substring(0, and) + ":" + end);
          } else if (or > 0 && !insideString(cond, or)) {
            out.add(head + cond.substring(0, or) + ":" + end);
          } else if (cond.startsWith("not ")) {
            out.add(head + cond.substring(4) + ":" + end);
          } else if (!m.group(2).equals("while")) {
            out.add(head + "True:" + end);
          }
        }
      }
      case WRONG_RETURN -> {
        Matcher m = RETURN.matcher(code);
        if (m.matches()) {
          String value = m.group(2).strip();
          String wrong =
              switch (value) {
                case "True" -> "False";
                case "False" -> "True";
                case "None" -> "0";
                default -> value.matches("-?\\d+") ? "None" : "not " + value;
              };
          out.add(m.group(1) + "return " + wrong + end);
        }
      }
    }
    return out;
  }

  /** Parameters of the entry point and names the solution assigns, in order of appearance. */
  static List<String> names(Problem p) {
    Set<String> names = new LinkedHashSet<>();
    Matcher def =
        Pattern.compile("def " + Pattern.quote(p.entryPoint()) + "\\s*\\(([^)]*)\\)")
            .matcher(p.prompt());
    if (def.find()) {
      for (String param : def.group(1).split(",")) {
        String name = param.split("[:=]")[0].strip().replace("*", "");
        if (name.matches("[A-Za-z_]\\w*")) {
          names.add(name);
        }
      }
    }
    for (String line : FimTask.lines(p.canonicalSolution())) {
      Matcher m = ASSIGNED.matcher(line);
      if (m.find()) {
        names.add(m.group(1));
      }
    }
    return new ArrayList<>(names);
  }

  /** Whether char {@code at} of a line lies inside a string literal (quotes counted before it). */
  static boolean insideString(String line, int at) {
    int single = 0;
    int dbl = 0;
    for (int i = 0; i < at; i++) {
      char c = line.charAt(i);
      if (c == '\'' && dbl % 2 == 0) {
        single++;
      } else if (c == '"' && single % 2 == 0) {
        dbl++;
      }
    }
    return single % 2 == 1 || dbl % 2 == 1;
  }
}
