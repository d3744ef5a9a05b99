package dev.cromwell.protocol.edit;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Doc comments of C-style languages (Java, JavaScript, TypeScript, Go, C, C++, C#, Rust, Kotlin,
 * Swift): a {@code /** … *}{@code /} block or a run of {@code //} ({@code ///}) lines directly
 * above a declaration, with the declaration's annotations or decorators between them. Found without
 * a parser, and paired by the declaration's line or, failing that, its name.
 */
final class DocComments {
  private static final Pattern KEYWORD_NAME =
      Pattern.compile(
          "\\b(?:class|interface|enum|record|struct|union|trait|impl|type|typedef|namespace"
              + "|function|fn|const|let|var|val|object|protocol)\\s+\\*?\\s*([A-Za-z_$][\\w$]*)");
  private static final Pattern GO_FUNC =
      Pattern.compile("^func\\s*(?:\\([^)]*\\)\\s*)?([A-Za-z_]\\w*)");
  private static final Pattern NAME_BEFORE_PAREN = Pattern.compile("([A-Za-z_$~][\\w$]*)\\s*\\(");
  private static final Pattern STATEMENT =
      Pattern.compile(
          "^(?:return|if|else|for|while|do|switch|case|default|try|catch|finally|throw|break"
              + "|continue|goto|defer|go|yield|await|delete|[})\\]])\\b.*|^[})\\]].*");

  /** A doc comment (its lines) and the declaration below it (its line's index). */
  record Doc(int commentFrom, int commentTo, int declaration) {}

  private DocComments() {}

  /**
   * Lines that a tool reads ({@code //go:embed}, {@code //export}, {@code // eslint-disable…}):
   * never part of a doc comment, never removed, and the doc comment goes above them.
   */
  private static final Pattern DIRECTIVE =
      Pattern.compile(
          "^//(?:go:|export\\b|line\\b|extern\\b|nolint|lint:|#region|#endregion)"
              + "|^//\\s*(?:\\+build|go:build|eslint|@ts-|NOLINT|prettier-ignore|istanbul\\b"
              + "|c8\\b|noinspection|tslint:|jshint|biome-ignore|deno-lint|clang-format|IWYU)");

  /** The doc comments of {@code lines} that stand above a declaration. */
  static List<Doc> docs(List<String> lines, boolean go) {
    List<Doc> out = new ArrayList<>();
    for (int decl = 1; decl < lines.size(); decl++) {
      if (!isDeclaration(lines.get(decl))
          || isAttribute(lines.get(decl))
          || name(lines.get(decl)) == null) {
        continue;
      }
      int top = aboveAttributes(lines, decl);
      int kept = aboveKept(lines, top, go);
      int from = docStart(lines, kept, go);
      if (from >= 0) {
        out.add(new Doc(from, kept, decl));
        continue;
      }
      // An answer may also document with plain line comments directly above (C, JavaScript).
      int anchor = aboveDirectives(lines, top);
      int plain = anchor;
      while (plain > 0 && isPlainLineComment(lines.get(plain - 1))) {
        plain--;
      }
      if (plain < anchor) {
        out.add(new Doc(plain, anchor, decl));
      }
    }
    return out;
  }

  static boolean isDirective(String line) {
    return DIRECTIVE.matcher(line.strip()).find();
  }

  private static boolean isAttribute(String line) {
    String s = line.strip();
    return s.startsWith("@") || s.startsWith("#[");
  }

  private static boolean isPlainLineComment(String line) {
    String s = line.strip();
    return s.startsWith("//") && !isDocLineComment(s) && !isDirective(s);
  }

  private static boolean isDocLineComment(String stripped) {
    return (stripped.startsWith("///") && !stripped.startsWith("////"))
        || stripped.startsWith("//!");
  }

  /** The first line of the annotations or attributes directly above line {@code decl}. */
  private static int aboveAttributes(List<String> lines, int decl) {
    int top = decl;
    while (top > 0 && isAttribute(lines.get(top - 1))) {
      top--;
    }
    return top;
  }

  /** The first of the directive lines (and attributes) directly above line {@code top}. */
  private static int aboveDirectives(List<String> lines, int top) {
    int i = top;
    while (i > 0 && (isDirective(lines.get(i - 1)) || isAttribute(lines.get(i - 1)))) {
      i--;
    }
    return i;
  }

  /**
   * The first of the lines directly above {@code top} that stay whatever the doc comment becomes:
   * directives, attributes and, outside Go (where such a run is the doc comment), plain {@code //}
   * comments the user wrote (notes, commented-out code).
   */
  private static int aboveKept(List<String> lines, int top, boolean go) {
    int i = top;
    while (i > 0) {
      String l = lines.get(i - 1);
      if (isDirective(l) || isAttribute(l) || (!go && isPlainLineComment(l))) {
        i--;
      } else {
        break;
      }
    }
    return i;
  }

  /**
   * The first line of the doc comment that ends just above line {@code end}, or -1 when none does.
   * A doc comment is a {@code /** … *}{@code /} block, a run of {@code ///} lines or, in Go, a run
   * of {@code //} lines without directives.
   */
  static int docStart(List<String> lines, int end, boolean go) {
    if (end <= 0) {
      return -1;
    }
    String last = lines.get(end - 1).strip();
    if (last.endsWith("*/")) {
      for (int s = end - 1; s >= 0; s--) {
        String t = lines.get(s).strip();
        if (t.startsWith("/**") || t.startsWith("/*!")) {
          return commentEnd(lines, s) == end ? s : -1;
        }
        if (t.startsWith("/*") || (s < end - 1 && t.contains("*/")) || !isCommentLine(t)) {
          return -1;
        }
      }
      return -1;
    }
    int s = end;
    while (s > 0) {
      String t = lines.get(s - 1).strip();
      boolean doc =
          isDocLineComment(t)
              || (go && t.startsWith("//") && !isDirective(t) && !t.startsWith("//!"));
      if (!doc) {
        break;
      }
      s--;
    }
    return s < end ? s : -1;
  }

  /** The line after the doc comment starting at {@code start}, or -1 if none starts there. */
  static int commentEnd(List<String> lines, int start) {
    String first = lines.get(start).strip();
    if (first.startsWith("/**") || first.startsWith("/*!")) {
      for (int i = start; i < lines.size(); i++) {
        int from = i == start ? 3 : 0;
        String s = lines.get(i).strip();
        if (s.indexOf("*/", Math.min(from, s.length())) >= 0) {
          return i + 1;
        }
      }
      return -1;
    }
    if (first.startsWith("//")) {
      int i = start;
      while (i < lines.size() && lines.get(i).strip().startsWith("//")) {
        i++;
      }
      return i;
    }
    return -1;
  }

  static boolean isDeclaration(String line) {
    String s = line.strip();
    return !s.isEmpty()
        && !s.startsWith("/")
        && !s.startsWith("*")
        && !STATEMENT.matcher(s).matches();
  }

  /** The declared name, or null when none is recognised. */
  static String name(String line) {
    String s = line.strip();
    Matcher go = GO_FUNC.matcher(s);
    if (go.find()) {
      return go.group(1);
    }
    Matcher k = KEYWORD_NAME.matcher(s);
    if (k.find()) {
      return k.group(1);
    }
    Matcher p = NAME_BEFORE_PAREN.matcher(s);
    return p.find() ? p.group(1) : null;
  }

  private static boolean isCommentLine(String line) {
    String s = line.strip();
    return s.startsWith("/") || s.startsWith("*");
  }

  private static String normalized(String line) {
    return line.strip().replaceAll("\\s+", " ");
  }

  /**
   * {@code original} (a selection) with the doc comments {@code answer} puts above declarations
   * placed above the same declarations, in place of the doc comment each had; every other line of
   * {@code original} is kept byte for byte.
   *
   * @return the new text, or null when the answer documents no declaration of the selection
   */
  static String merge(String original, String answer, boolean go) {
    List<SourceLines.Line> lines = SourceLines.of(original);
    List<String> texts = SourceLines.texts(lines);
    List<String> answerLines = SourceLines.texts(SourceLines.of(answer.replace("\r\n", "\n")));
    List<SourceLines.Splice> splices = new ArrayList<>();
    for (Doc doc : docs(answerLines, go)) {
      int target = find(texts, answerLines.get(doc.declaration()));
      if (target < 0) {
        continue;
      }
      List<String> comment = answerLines.subList(doc.commentFrom(), doc.commentTo());
      int top = aboveAttributes(texts, target);
      int kept = aboveKept(texts, top, go);
      if (alreadyThere(comment, texts.subList(kept, top))) {
        continue; // the answer repeats a comment the user wrote; it is kept where it is
      }
      // Only the declaration's own doc comment is replaced; with none, the new one goes above the
      // directives but below the user's own line comments.
      int docFrom = docStart(texts, kept, go);
      int from = docFrom >= 0 ? docFrom : aboveDirectives(texts, top);
      int to = docFrom >= 0 ? kept : from;
      if (!onlyDocLines(texts.subList(from, to))
          || splices.stream().anyMatch(s -> s.from() <= to && from <= s.to())) {
        continue; // a second comment for a declaration already documented
      }
      splices.add(
          new SourceLines.Splice(
              from, to, SourceLines.reindent(comment, SourceLines.indent(texts.get(top)))));
    }
    if (splices.isEmpty()) {
      return null;
    }
    splices.sort(java.util.Comparator.comparingInt(SourceLines.Splice::from));
    return SourceLines.apply(lines, splices, SourceLines.eol(original));
  }

  /** True when every line of {@code comment} is one of {@code kept}, as the user wrote it. */
  private static boolean alreadyThere(List<String> comment, List<String> kept) {
    List<String> there = kept.stream().map(DocComments::normalized).toList();
    return comment.stream().map(DocComments::normalized).allMatch(there::contains);
  }

  /** The safety net: a splice removes only comment lines, and never a directive. */
  private static boolean onlyDocLines(List<String> removed) {
    return removed.stream().allMatch(l -> isCommentLine(l) && !isDirective(l));
  }

  /** The one line of {@code lines} that declares what {@code declaration} does, or -1. */
  private static int find(List<String> lines, String declaration) {
    List<Integer> same = new ArrayList<>();
    List<Integer> named = new ArrayList<>();
    String name = name(declaration);
    for (int i = 0; i < lines.size(); i++) {
      if (!isDeclaration(lines.get(i))) {
        continue;
      }
      if (normalized(lines.get(i)).equals(normalized(declaration))) {
        same.add(i);
      }
      if (name != null && name.equals(name(lines.get(i)))) {
        named.add(i);
      }
    }
    return same.size() == 1 ? same.getFirst() : named.size() == 1 ? named.getFirst() : -1;
  }
}
