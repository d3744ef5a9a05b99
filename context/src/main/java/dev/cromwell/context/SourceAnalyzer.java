package dev.cromwell.context;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Extracts imports, the package, definitions and identifiers from source text with per-language
 * regular expressions over comment- and string-free text. Heuristic by design: fast, never fails,
 * right for the code people usually write.
 */
public final class SourceAnalyzer {
  private static final Pattern PY_IMPORT =
      Pattern.compile(
          "^\\s*import\\s+([\\w.]+(?:\\s+as\\s+\\w+)?(?:\\s*,\\s*[\\w.]+(?:\\s+as\\s+\\w+)?)*)",
          Pattern.MULTILINE);
  private static final Pattern PY_FROM =
      Pattern.compile(
          "^[ \\t]*from[ \\t]+(\\.*[\\w.]*)[ \\t]+import[ \\t]+(?:\\(([\\w\\s,]*)\\)|([\\w \\t,]*))",
          Pattern.MULTILINE);
  private static final Pattern PY_DEF =
      Pattern.compile("^([ \\t]*)(?:async\\s+)?(def|class)\\s+(\\w+)", Pattern.MULTILINE);
  private static final Pattern JVM_PACKAGE =
      Pattern.compile("^\\s*package\\s+([\\w.]+)", Pattern.MULTILINE);
  private static final Pattern JVM_IMPORT =
      Pattern.compile(
          "^\\s*import\\s+(?:static\\s+)?(\\w+(?:\\.\\w+)*(?:\\.\\*)?)", Pattern.MULTILINE);
  private static final Pattern JVM_TYPE =
      Pattern.compile("\\b(class|interface|enum|record|object)\\s+(\\w+)");
  // Possessive quantifiers and single-line type syntax keep this linear on long files.
  private static final Pattern JAVA_METHOD =
      Pattern.compile(
          "^[ \\t]*+(?:(?:public|private|protected|static|final|abstract|synchronized|native|default)[ \\t]++)*+(?:<[^>\\n]*+>[ \\t]*+)?[\\w.$]++(?:<(?:[^<>\\n(){};=]|<[^<>\\n]*+>)*+>)?(?:\\[\\])*+[ \\t]++(\\w++)[ \\t]*+\\([^;{)]*+\\)[ \\t]*+(?:throws[ \\t]++[\\w.,\\s]++)?\\{",
          Pattern.MULTILINE);
  private static final Pattern KOTLIN_FUN =
      Pattern.compile("\\bfun\\s+(?:<[^>]*>\\s*)?(?:[\\w.]+\\.)?(\\w+)\\s*\\(");
  private static final Pattern JS_IMPORT =
      Pattern.compile(
          "(?:\\bimport\\s+(?:[^'\"`;]*?\\s+from\\s+)?|\\bexport\\s+[^'\"`;]*?\\s+from\\s+|\\brequire\\s*\\(\\s*|\\bimport\\s*\\(\\s*)['\"`]([^'\"`]+)['\"`]");
  private static final Pattern JS_DEF =
      Pattern.compile(
          "^[ \\t]*(?:export\\s+)?(?:default\\s+)?(?:async\\s+)?(?:(function)\\s*\\*?\\s*(\\w+)|(class|interface|type|enum)\\s+(\\w+)|(?:const|let|var)\\s+(\\w+)\\s*(?::[^=]+)?=\\s*(?:async\\s*)?(?:function|\\([^)]*\\)\\s*(?::[^=]+)?=>|\\w+\\s*=>))",
          Pattern.MULTILINE);
  private static final Pattern JS_METHOD =
      Pattern.compile(
          "^[ \\t]+(?:(?:public|private|protected|static|async|get|set|readonly)\\s+)*(\\w+)\\s*\\([^)]*\\)\\s*(?::[^{]+)?\\{",
          Pattern.MULTILINE);
  private static final Pattern GO_PACKAGE =
      Pattern.compile("^package\\s+(\\w+)", Pattern.MULTILINE);
  private static final Pattern GO_IMPORT_ONE =
      Pattern.compile("^import\\s+(?:\\w+\\s+)?\"([^\"]+)\"", Pattern.MULTILINE);
  private static final Pattern GO_IMPORT_BLOCK =
      Pattern.compile("^import\\s*\\(([^)]*)\\)", Pattern.MULTILINE);
  private static final Pattern QUOTED = Pattern.compile("\"([^\"]+)\"");
  private static final Pattern GO_DEF =
      Pattern.compile("^(?:func\\s+(?:\\([^)]*\\)\\s*)?(\\w+)|type\\s+(\\w+))", Pattern.MULTILINE);
  private static final Pattern RUST_USE =
      Pattern.compile("^\\s*(?:pub(?:\\([^)]*\\))?\\s+)?use\\s+([\\w:]+)", Pattern.MULTILINE);
  private static final Pattern RUST_MOD =
      Pattern.compile("^\\s*(?:pub(?:\\([^)]*\\))?\\s+)?mod\\s+(\\w+)\\s*;", Pattern.MULTILINE);
  private static final Pattern RUST_DEF =
      Pattern.compile(
          "^[ \\t]*(?:pub(?:\\([^)]*\\))?\\s+)?(?:(?:async|unsafe|const|extern)\\s+)*(fn|struct|enum|trait|type|union|mod)\\s+(\\w+)",
          Pattern.MULTILINE);
  private static final Pattern C_INCLUDE =
      Pattern.compile("^\\s*#\\s*include\\s*([<\"])([^>\"]+)[>\"]", Pattern.MULTILINE);
  private static final Pattern C_TYPE =
      Pattern.compile(
          "^[ \\t]*(?:typedef\\s+)?(struct|class|union|enum|namespace)\\s+(\\w+)\\s*(?::[^{;]*)?\\{",
          Pattern.MULTILINE);
  private static final Pattern C_FUNCTION =
      Pattern.compile(
          "^(?!\\s*(?:if|for|while|switch|return|else)\\b)[A-Za-z_][\\w\\s\\*&:<>,~]*?\\b(~?\\w+)\\s*\\([^;{)]*\\)\\s*(?:const\\s*)?(?:noexcept\\s*)?\\{",
          Pattern.MULTILINE);
  private static final Pattern C_DEFINE =
      Pattern.compile("^\\s*#\\s*define\\s+(\\w+)", Pattern.MULTILINE);

  private SourceAnalyzer() {}

  public static SourceFacts analyze(String text, Language language) {
    if (!language.isCode()) {
      return SourceFacts.NONE;
    }
    String code = CodeText.stripCommentsAndStrings(text, language);
    String withStrings = CodeText.stripComments(text, language);
    Lines lines = new Lines(code);
    List<String> imports = new ArrayList<>();
    List<Symbol> symbols = new ArrayList<>();
    String pkg = "";
    switch (language) {
      case PYTHON -> {
        for (Matcher m = PY_IMPORT.matcher(code); m.find(); ) {
          for (String part : m.group(1).split(",")) {
            imports.add(part.trim().split("\\s+")[0]);
          }
        }
        for (Matcher m = PY_FROM.matcher(code); m.find(); ) {
          String module = m.group(1);
          imports.add(module);
          // "from pkg import mod" may name submodules; unresolvable names are dropped later.
          String names = m.group(2) != null ? m.group(2) : m.group(3);
          for (String name : names.split(",")) {
            String first = name.trim().split("\\s+")[0];
            if (!first.isEmpty()) {
              imports.add(module.endsWith(".") ? module + first : module + "." + first);
            }
          }
        }
        for (Matcher m = PY_DEF.matcher(code); m.find(); ) {
          int line = lines.lineOf(m.start(3));
          String kind =
              m.group(2).equals("class") ? "class" : m.group(1).isEmpty() ? "function" : "method";
          symbols.add(new Symbol(m.group(3), kind, line, pythonBlockEnd(lines, line)));
        }
      }
      case JAVA, KOTLIN -> {
        Matcher p = JVM_PACKAGE.matcher(code);
        pkg = p.find() ? p.group(1) : "";
        for (Matcher m = JVM_IMPORT.matcher(code); m.find(); ) {
          imports.add(m.group(1));
        }
        collect(JVM_TYPE, lines, 2, 1, symbols, true);
        if (language == Language.JAVA) {
          for (Matcher m = JAVA_METHOD.matcher(code); m.find(); ) {
            String name = m.group(1);
            if (!isKeyword(name)) {
              int line = lines.lineOf(m.start(1));
              symbols.add(new Symbol(name, "method", line, braceBlockEnd(lines, line)));
            }
          }
        } else {
          collect(KOTLIN_FUN, lines, 1, -1, symbols, true);
        }
      }
      case JAVASCRIPT, TYPESCRIPT -> {
        for (Matcher m = JS_IMPORT.matcher(withStrings); m.find(); ) {
          imports.add(m.group(1));
        }
        for (Matcher m = JS_DEF.matcher(code); m.find(); ) {
          String name =
              m.group(2) != null ? m.group(2) : m.group(4) != null ? m.group(4) : m.group(5);
          String kind = m.group(1) != null || m.group(5) != null ? "function" : m.group(3);
          int line = lines.lineOf(m.start());
          symbols.add(new Symbol(name, kind, line, braceBlockEnd(lines, line)));
        }
        for (Matcher m = JS_METHOD.matcher(code); m.find(); ) {
          if (!isKeyword(m.group(1))) {
            int line = lines.lineOf(m.start(1));
            symbols.add(new Symbol(m.group(1), "method", line, braceBlockEnd(lines, line)));
          }
        }
      }
      case GO -> {
        Matcher p = GO_PACKAGE.matcher(code);
        pkg = p.find() ? p.group(1) : "";
        for (Matcher m = GO_IMPORT_ONE.matcher(withStrings); m.find(); ) {
          imports.add(m.group(1));
        }
        for (Matcher m = GO_IMPORT_BLOCK.matcher(withStrings); m.find(); ) {
          for (Matcher q = QUOTED.matcher(m.group(1)); q.find(); ) {
            imports.add(q.group(1));
          }
        }
        for (Matcher m = GO_DEF.matcher(code); m.find(); ) {
          boolean func = m.group(1) != null;
          int line = lines.lineOf(m.start());
          symbols.add(
              new Symbol(
                  func ? m.group(1) : m.group(2),
                  func ? "function" : "type",
                  line,
                  braceBlockEnd(lines, line)));
        }
      }
      case RUST -> {
        for (Matcher m = RUST_USE.matcher(code); m.find(); ) {
          imports.add(m.group(1));
        }
        for (Matcher m = RUST_MOD.matcher(code); m.find(); ) {
          imports.add("mod:" + m.group(1));
        }
        collect(RUST_DEF, lines, 2, 1, symbols, true);
      }
      case C, CPP -> {
        for (Matcher m = C_INCLUDE.matcher(withStrings); m.find(); ) {
          imports.add((m.group(1).equals("<") ? "<" : "") + m.group(2));
        }
        collect(C_TYPE, lines, 2, 1, symbols, true);
        for (Matcher m = C_FUNCTION.matcher(code); m.find(); ) {
          if (!isKeyword(m.group(1))) {
            int line = lines.lineOf(m.start(1));
            symbols.add(new Symbol(m.group(1), "function", line, braceBlockEnd(lines, line)));
          }
        }
        for (Matcher m = C_DEFINE.matcher(code); m.find(); ) {
          int line = lines.lineOf(m.start(1));
          symbols.add(new Symbol(m.group(1), "macro", line, line));
        }
      }
      default -> {}
    }
    symbols.sort(java.util.Comparator.comparingInt(Symbol::line));
    return new SourceFacts(imports, pkg, symbols, CodeText.identifiers(code));
  }

  private static void collect(
      Pattern pattern,
      Lines lines,
      int nameGroup,
      int kindGroup,
      List<Symbol> out,
      boolean braces) {
    for (Matcher m = pattern.matcher(lines.text()); m.find(); ) {
      int line = lines.lineOf(m.start(nameGroup));
      String kind = kindGroup > 0 ? m.group(kindGroup) : "function";
      out.add(
          new Symbol(m.group(nameGroup), kind, line, braces ? braceBlockEnd(lines, line) : line));
    }
  }

  private static boolean isKeyword(String name) {
    return switch (name) {
      case "if",
          "for",
          "while",
          "switch",
          "catch",
          "return",
          "new",
          "else",
          "do",
          "try",
          "synchronized",
          "constructor",
          "function",
          "sizeof" ->
          true;
      default -> false;
    };
  }

  /** The line where the brace block opened on or after {@code line} closes (or the last line). */
  static int braceBlockEnd(Lines lines, int line) {
    String code = lines.text();
    int offset = lines.start(line);
    int open = code.indexOf('{', offset);
    int semicolon = code.indexOf(';', offset);
    if (open < 0 || (semicolon >= 0 && semicolon < open)) {
      return line;
    }
    int depth = 0;
    for (int i = open; i < code.length(); i++) {
      char c = code.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        return lines.lineOf(i);
      }
    }
    return lines.count() - 1;
  }

  /** The last line of a Python block: before the next non-blank line indented no deeper. */
  static int pythonBlockEnd(Lines lines, int line) {
    int indent = indentOf(lines.line(line));
    int last = line;
    for (int i = line + 1; i < lines.count(); i++) {
      String text = lines.line(i);
      if (text.isBlank()) {
        continue;
      }
      if (indentOf(text) <= indent) {
        break;
      }
      last = i;
    }
    return last;
  }

  private static int indentOf(String line) {
    int i = 0;
    while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
      i++;
    }
    return i;
  }
}
