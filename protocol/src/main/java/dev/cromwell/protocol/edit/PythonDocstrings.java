package dev.cromwell.protocol.edit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the {@code def}s and {@code class}es of Python source and their docstrings, without a
 * parser: a header line, the (possibly multi-line) signature up to its closing colon, and a string
 * as the first statement of the body. Good enough for the code a selection and a model's answer
 * hold; what it does not recognise it leaves alone.
 */
final class PythonDocstrings {
  private static final Pattern HEADER =
      Pattern.compile("^([ \\t]*)(?:async[ \\t]+def|def|class)[ \\t]+([A-Za-z_]\\w*)");
  private static final Pattern STRING_START = Pattern.compile("^[rRuUbB]{0,2}(\"\"\"|'''|\"|')");

  /**
   * One block header.
   *
   * @param key the qualified name ({@code Outer.method}) with its occurrence, {@code #2} for the
   *     second block of that name, so that redefinitions pair up in order
   * @param name the plain name
   * @param indent the header's indentation
   * @param signatureEnd the line that ends the signature (the one with the colon)
   * @param docFrom the docstring's first line, -1 when the block has none
   * @param docTo the line after the docstring (-1 when none)
   * @param bodyIndent the body's indentation, null when no body line follows in the text
   */
  record Block(
      String key,
      String name,
      String indent,
      int signatureEnd,
      int docFrom,
      int docTo,
      String bodyIndent) {
    boolean hasDocstring() {
      return docFrom >= 0;
    }
  }

  private PythonDocstrings() {}

  /** The blocks of {@code lines}, in order; one-line blocks ({@code def f(): pass}) left out. */
  static List<Block> blocks(List<String> lines) {
    List<Block> out = new ArrayList<>();
    List<String[]> stack = new ArrayList<>(); // {indent, name} of the enclosing blocks
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = HEADER.matcher(lines.get(i));
      if (!m.find()) {
        continue;
      }
      String indent = m.group(1);
      String name = m.group(2);
      while (!stack.isEmpty() && stack.getLast()[0].length() >= indent.length()) {
        stack.removeLast();
      }
      StringBuilder qualified = new StringBuilder();
      for (String[] s : stack) {
        qualified.append(s[1]).append('.');
      }
      qualified.append(name);
      stack.add(new String[] {indent, name});
      // Counted before one-line blocks are left out, so that "f#2" is the second f in both texts.
      int n = seen.merge(qualified.toString(), 1, Integer::sum);
      int end = signatureEnd(lines, i);
      if (end < 0) {
        continue;
      }
      int body = end + 1;
      while (body < lines.size()
          && (lines.get(body).isBlank() || lines.get(body).strip().startsWith("#"))) {
        body++;
      }
      String bodyIndent = null;
      int docFrom = -1;
      int docTo = -1;
      if (body < lines.size() && SourceLines.indent(lines.get(body)).length() > indent.length()) {
        bodyIndent = SourceLines.indent(lines.get(body));
        docTo = docstringEnd(lines, body);
        docFrom = docTo < 0 ? -1 : body;
      }
      String key = qualified + (n > 1 ? "#" + n : "");
      out.add(new Block(key, name, indent, end, docFrom, docTo, bodyIndent));
    }
    return out;
  }

  /** How many {@code def}s and {@code class}es of each name {@code lines} hold, one-line too. */
  static Map<String, Integer> headerCounts(List<String> lines) {
    Map<String, Integer> out = new HashMap<>();
    for (String line : lines) {
      Matcher m = HEADER.matcher(line);
      if (m.find()) {
        out.merge(m.group(2), 1, Integer::sum);
      }
    }
    return out;
  }

  /**
   * The line whose colon ends the signature that starts at {@code header}, or -1 when the block's
   * body is on the same line or the signature does not end in {@code lines}.
   */
  static int signatureEnd(List<String> lines, int header) {
    int depth = 0;
    for (int i = header; i < lines.size(); i++) {
      String code = code(lines.get(i));
      for (int k = 0; k < code.length(); k++) {
        char c = code.charAt(k);
        if (c == '(' || c == '[' || c == '{') {
          depth++;
        } else if (c == ')' || c == ']' || c == '}') {
          depth--;
        }
      }
      if (depth <= 0) {
        return code.stripTrailing().endsWith(":") ? i : -1;
      }
    }
    return -1;
  }

  /** {@code line} with string contents blanked and any comment cut, for bracket counting. */
  private static String code(String line) {
    StringBuilder out = new StringBuilder();
    char quote = 0;
    for (int k = 0; k < line.length(); k++) {
      char c = line.charAt(k);
      if (quote != 0) {
        if (c == '\\') {
          k++;
        } else if (c == quote) {
          quote = 0;
          out.append(c);
        }
        continue;
      }
      if (c == '#') {
        break;
      }
      if (c == '"' || c == '\'') {
        quote = c;
      }
      out.append(c);
    }
    return out.toString();
  }

  /**
   * The line after the docstring that starts line {@code start}: a string literal (not an f-string)
   * that is the whole statement, so only blanks or a comment follow its closing quote. -1 when the
   * line does not start with one ({@code 'a'.join(x)}, {@code 'a'; x += 1}) or it is not closed in
   * {@code lines}.
   */
  static int docstringEnd(List<String> lines, int start) {
    String first = lines.get(start).strip();
    Matcher m = STRING_START.matcher(first);
    if (!m.find()) {
      return -1;
    }
    String quote = m.group(1);
    int close = closing(first, m.end(), quote);
    if (close >= 0) {
      return onlyCommentAfter(first, close) ? start + 1 : -1;
    }
    if (quote.length() == 1) {
      return -1;
    }
    for (int i = start + 1; i < lines.size(); i++) {
      close = closing(lines.get(i), 0, quote);
      if (close >= 0) {
        return onlyCommentAfter(lines.get(i), close) ? i + 1 : -1;
      }
    }
    return -1;
  }

  /** The index after the first unescaped {@code quote} in {@code line} from {@code from}, or -1. */
  private static int closing(String line, int from, String quote) {
    for (int k = from; k < line.length(); k++) {
      if (line.charAt(k) == '\\') { // escapes the quote, in raw strings too
        k++;
      } else if (line.startsWith(quote, k)) {
        return k + quote.length();
      }
    }
    return -1;
  }

  private static boolean onlyCommentAfter(String line, int from) {
    String rest = line.substring(from).strip();
    return rest.isEmpty() || rest.startsWith("#");
  }

  /**
   * {@code original} (a selection) with the docstrings {@code answer} gives its blocks: each goes
   * under the block of the same name, after its signature and indented as its body, in place of the
   * docstring it had. Every other line of {@code original} is kept byte for byte.
   *
   * @return the new text, or null when the answer gives no block of the selection a docstring
   * @throws EditException when the answer has more or fewer blocks of a name than the selection (it
   *     expanded {@code @overload} stubs, or dropped one), so they cannot be paired
   */
  static String merge(String original, String answer) throws EditException {
    List<SourceLines.Line> lines = SourceLines.of(original);
    List<String> texts = SourceLines.texts(lines);
    List<String> answerLines = SourceLines.texts(SourceLines.of(answer.replace("\r\n", "\n")));
    Map<String, Integer> counts = headerCounts(texts);
    Map<String, Integer> answerCounts = headerCounts(answerLines);
    for (var e : counts.entrySet()) {
      int inAnswer = answerCounts.getOrDefault(e.getKey(), 0);
      if (inAnswer > 0 && inAnswer != e.getValue()) {
        throw new EditException(
            "the answer has "
                + inAnswer
                + " definitions named "
                + e.getKey()
                + " where the selection has "
                + e.getValue()
                + ", so its docstrings cannot be matched to them; the file is left as it was");
      }
    }
    Map<String, Block> byKey = new HashMap<>();
    Map<String, List<Block>> byName = new HashMap<>();
    for (Block b : blocks(answerLines)) {
      if (b.hasDocstring()) {
        byKey.put(b.key(), b);
        byName.computeIfAbsent(b.name(), k -> new ArrayList<>()).add(b);
      }
    }
    List<SourceLines.Splice> splices = new ArrayList<>();
    List<Block> blocks = blocks(texts);
    for (Block b : blocks) {
      Block doc = byKey.get(b.key());
      if (doc == null) {
        // The answer may show a method without its class, or a class around a lone method.
        List<Block> named = byName.getOrDefault(b.name(), List.of());
        boolean unique = counts.get(b.name()) == 1 && answerCounts.getOrDefault(b.name(), 0) == 1;
        doc = named.size() == 1 && unique ? named.getFirst() : null;
      }
      if (doc == null) {
        continue;
      }
      List<String> docLines = answerLines.subList(doc.docFrom(), doc.docTo());
      String target =
          b.bodyIndent() != null
              ? b.bodyIndent()
              : b.indent() + relativeIndent(doc, answerLines.get(doc.docFrom()));
      List<String> placed = SourceLines.reindent(docLines, target);
      splices.add(
          b.hasDocstring()
              ? new SourceLines.Splice(b.docFrom(), b.docTo(), placed)
              : new SourceLines.Splice(b.signatureEnd() + 1, b.signatureEnd() + 1, placed));
    }
    if (splices.isEmpty()) {
      return null;
    }
    return SourceLines.apply(lines, splices, SourceLines.eol(original));
  }

  /** How much deeper than its block's header the answer indents the docstring (4 spaces if not). */
  private static String relativeIndent(Block doc, String docLine) {
    String indent = SourceLines.indent(docLine);
    return indent.length() > doc.indent().length() && indent.startsWith(doc.indent())
        ? indent.substring(doc.indent().length())
        : "    ";
  }

  /**
   * The docstring (its lines, stripped) that {@code answer} (possibly cut off) already holds,
   * closed and on its own complete line, for the block {@code key} of a selection that has {@code
   * count} blocks named {@code name}: paired as {@link #merge} pairs them, by key or by a name that
   * is unique on both sides. Null when there is none yet.
   */
  static List<String> docstringFor(String answer, String key, String name, int count) {
    List<SourceLines.Line> lines = SourceLines.of(answer.replace("\r\n", "\n"));
    List<String> texts = SourceLines.texts(lines);
    boolean unique = count == 1 && headerCounts(texts).getOrDefault(name, 0) == 1;
    for (Block b : blocks(texts)) {
      if (b.hasDocstring()
          && (b.key().equals(key) || (unique && b.name().equals(name)))
          && !lines.get(b.docTo() - 1).end().isEmpty()) {
        return docstring(texts, b);
      }
    }
    return null;
  }

  /** The docstring lines of {@code b}, stripped, for comparing docstrings however indented. */
  static List<String> docstring(List<String> lines, Block b) {
    return b.hasDocstring()
        ? lines.subList(b.docFrom(), b.docTo()).stream().map(String::strip).toList()
        : List.of();
  }
}
