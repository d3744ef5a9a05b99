package dev.cromwell.context;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A light lexer shared by every language: it blanks out comments and string literals (keeping line
 * breaks, so line numbers stay right) and collects identifiers. Good enough to find imports,
 * definitions and used names without a parser.
 */
public final class CodeText {
  private CodeText() {}

  /**
   * The source with comments replaced by spaces and string contents by spaces (quotes kept, so
   * {@code import "x"} style imports can still be read from {@link #stringsOnly}).
   */
  public static String stripCommentsAndStrings(String source, Language language) {
    return scan(source, language, false);
  }

  /** The source with comments blanked but string literals kept (to read import paths). */
  public static String stripComments(String source, Language language) {
    return scan(source, language, true);
  }

  private static String scan(String s, Language lang, boolean keepStrings) {
    StringBuilder out = new StringBuilder(s.length());
    int n = s.length();
    int i = 0;
    while (i < n) {
      char c = s.charAt(i);
      if (lang.lineComment != null && s.startsWith(lang.lineComment, i)) {
        while (i < n && s.charAt(i) != '\n') {
          out.append(' ');
          i++;
        }
        continue;
      }
      if (lang.blockOpen != null && lang != Language.PYTHON && s.startsWith(lang.blockOpen, i)) {
        int end = s.indexOf(lang.blockClose, i + lang.blockOpen.length());
        end = end < 0 ? n : end + lang.blockClose.length();
        blank(s, i, end, out);
        i = end;
        continue;
      }
      if (c == '"'
          || c == '\''
          || (c == '`'
              && (lang == Language.JAVASCRIPT
                  || lang == Language.TYPESCRIPT
                  || lang == Language.GO))) {
        if (lang == Language.RUST && c == '\'' && !isRustCharLiteral(s, i)) {
          out.append(c); // a lifetime such as 'a
          i++;
          continue;
        }
        String quote = String.valueOf(c);
        if (lang == Language.PYTHON && (s.startsWith("\"\"\"", i) || s.startsWith("'''", i))) {
          quote = s.substring(i, i + 3);
        }
        int contentStart = i + quote.length();
        int found = closing(s, contentStart, quote, c != '`' && quote.length() == 1);
        boolean closed = found >= 0;
        int contentEnd = closed ? found : -found - 1;
        out.append(quote);
        if (keepStrings) {
          out.append(s, contentStart, contentEnd);
        } else {
          blank(s, contentStart, contentEnd, out);
        }
        int end = contentEnd;
        if (closed) {
          out.append(quote);
          end += quote.length();
        }
        i = end;
        continue;
      }
      out.append(c);
      i++;
    }
    return out.toString();
  }

  private static boolean isRustCharLiteral(String s, int i) {
    // 'x' or '\\n' (an escape); anything else after a quote is a lifetime such as 'a
    if (i + 2 < s.length() && s.charAt(i + 2) == '\'') {
      return true;
    }
    return i + 1 < s.length() && s.charAt(i + 1) == '\\';
  }

  /**
   * Index of the closing quote; for an unclosed string, {@code -(end) - 1} where end is the end of
   * the line (single-line strings) or of the text.
   */
  private static int closing(String s, int from, String quote, boolean endsAtNewline) {
    int i = from;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '\\') {
        i += 2;
        continue;
      }
      if (s.startsWith(quote, i)) {
        return i;
      }
      if (endsAtNewline && c == '\n') {
        return -i - 1;
      }
      i++;
    }
    return -Math.min(i, s.length()) - 1;
  }

  private static void blank(String s, int from, int to, StringBuilder out) {
    for (int i = from; i < Math.min(to, s.length()); i++) {
      out.append(s.charAt(i) == '\n' ? '\n' : ' ');
    }
  }

  /**
   * Keywords and ubiquitous names of the supported languages: they say nothing about what code is
   * about, and counting them would make every window look similar to every other.
   */
  static final Set<String> KEYWORDS =
      Set.of(
          "abstract",
          "and",
          "as",
          "assert",
          "async",
          "await",
          "bool",
          "boolean",
          "break",
          "byte",
          "case",
          "catch",
          "char",
          "class",
          "const",
          "continue",
          "def",
          "default",
          "defer",
          "del",
          "do",
          "double",
          "elif",
          "else",
          "enum",
          "except",
          "export",
          "extends",
          "extern",
          "false",
          "final",
          "finally",
          "float",
          "fn",
          "for",
          "from",
          "func",
          "function",
          "go",
          "if",
          "impl",
          "implements",
          "import",
          "in",
          "instanceof",
          "int",
          "interface",
          "is",
          "lambda",
          "let",
          "long",
          "match",
          "mod",
          "mut",
          "new",
          "nil",
          "None",
          "not",
          "null",
          "or",
          "package",
          "pass",
          "private",
          "protected",
          "pub",
          "public",
          "raise",
          "return",
          "self",
          "Self",
          "short",
          "static",
          "struct",
          "super",
          "switch",
          "this",
          "throw",
          "throws",
          "trait",
          "True",
          "true",
          "False",
          "try",
          "type",
          "typedef",
          "unsigned",
          "use",
          "var",
          "void",
          "while",
          "with",
          "yield",
          "String",
          "string",
          "val",
          "fun",
          "override",
          "include",
          "define",
          "ifdef",
          "ifndef",
          "endif",
          "sizeof",
          "typeof",
          "undefined",
          "of");

  /**
   * Identifiers (letters, digits, underscore, not starting with a digit, two characters or more,
   * keywords excluded) in order of first use.
   */
  public static Set<String> identifiers(String code) {
    Set<String> ids = new LinkedHashSet<>();
    int n = code.length();
    int i = 0;
    while (i < n) {
      char c = code.charAt(i);
      if (Character.isJavaIdentifierStart(c) && c != '$') {
        int start = i;
        while (i < n && (Character.isJavaIdentifierPart(code.charAt(i)) && code.charAt(i) != '$')) {
          i++;
        }
        if (i - start > 1) {
          String id = code.substring(start, i);
          if (!KEYWORDS.contains(id)) {
            ids.add(id);
          }
        }
      } else {
        i++;
      }
    }
    return ids;
  }
}
