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

  /** The doc comments of {@code lines} that stand directly above a declaration. */
  static List<Doc> docs(List<String> lines) {
    List<Doc> out = new ArrayList<>();
    int i = 0;
    while (i < lines.size()) {
      int end = commentEnd(lines, i);
      if (end < 0) {
        i++;
        continue;
      }
      int decl = end;
      while (decl < lines.size() && lines.get(decl).strip().startsWith("@")) {
        decl++;
      }
      if (decl < lines.size() && isDeclaration(lines.get(decl))) {
        out.add(new Doc(i, end, decl));
      }
      i = end;
    }
    return out;
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
  static String merge(String original, String answer) {
    List<SourceLines.Line> lines = SourceLines.of(original);
    List<String> texts = SourceLines.texts(lines);
    List<String> answerLines = SourceLines.texts(SourceLines.of(answer.replace("\r\n", "\n")));
    List<SourceLines.Splice> splices = new ArrayList<>();
    for (Doc doc : docs(answerLines)) {
      int target = find(texts, answerLines.get(doc.declaration()));
      if (target < 0) {
        continue;
      }
      int top = target;
      while (top > 0 && texts.get(top - 1).strip().startsWith("@")) {
        top--;
      }
      int from = top;
      // The declaration's own doc comment, replaced: the longest one that ends at its top.
      for (int start = top - 1; start >= 0 && isCommentLine(texts.get(start)); start--) {
        if (commentEnd(texts, start) == top) {
          from = start;
        }
      }
      int f = from;
      int t = top;
      if (splices.stream().anyMatch(s -> s.from() <= t && f <= s.to())) {
        continue; // a second comment for a declaration already documented
      }
      List<String> comment = answerLines.subList(doc.commentFrom(), doc.commentTo());
      splices.add(
          new SourceLines.Splice(
              from, top, SourceLines.reindent(comment, SourceLines.indent(texts.get(top)))));
    }
    if (splices.isEmpty()) {
      return null;
    }
    splices.sort(java.util.Comparator.comparingInt(SourceLines.Splice::from));
    return SourceLines.apply(lines, splices, SourceLines.eol(original));
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
