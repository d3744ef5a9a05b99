package dev.cromwell.context;

import java.util.Locale;
import java.util.Map;

/** Source languages the index understands, detected by file extension or shebang. */
public enum Language {
  PYTHON("#", "\"\"\"", "\"\"\""),
  JAVA("//", "/*", "*/"),
  KOTLIN("//", "/*", "*/"),
  JAVASCRIPT("//", "/*", "*/"),
  TYPESCRIPT("//", "/*", "*/"),
  GO("//", "/*", "*/"),
  RUST("//", "/*", "*/"),
  C("//", "/*", "*/"),
  CPP("//", "/*", "*/"),
  SHELL("#", null, null),
  OTHER(null, null, null);

  private static final Map<String, Language> EXTENSIONS =
      Map.ofEntries(
          Map.entry("py", PYTHON),
          Map.entry("pyi", PYTHON),
          Map.entry("java", JAVA),
          Map.entry("kt", KOTLIN),
          Map.entry("kts", KOTLIN),
          Map.entry("js", JAVASCRIPT),
          Map.entry("mjs", JAVASCRIPT),
          Map.entry("cjs", JAVASCRIPT),
          Map.entry("jsx", JAVASCRIPT),
          Map.entry("ts", TYPESCRIPT),
          Map.entry("tsx", TYPESCRIPT),
          Map.entry("mts", TYPESCRIPT),
          Map.entry("go", GO),
          Map.entry("rs", RUST),
          Map.entry("c", C),
          Map.entry("h", C),
          Map.entry("cc", CPP),
          Map.entry("cpp", CPP),
          Map.entry("cxx", CPP),
          Map.entry("hpp", CPP),
          Map.entry("hh", CPP),
          Map.entry("hxx", CPP),
          Map.entry("sh", SHELL),
          Map.entry("bash", SHELL));

  /** Starts a line comment, or null. */
  final String lineComment;

  /** Opens a block comment (for Python: a docstring), or null. */
  final String blockOpen;

  final String blockClose;

  Language(String lineComment, String blockOpen, String blockClose) {
    this.lineComment = lineComment;
    this.blockOpen = blockOpen;
    this.blockClose = blockClose;
  }

  /** Detects the language from the file name, then from a {@code #!} first line. */
  public static Language detect(String fileName, String firstLine) {
    int dot = fileName.lastIndexOf('.');
    if (dot >= 0) {
      Language byExtension = EXTENSIONS.get(fileName.substring(dot + 1).toLowerCase(Locale.ROOT));
      if (byExtension != null) {
        return byExtension;
      }
    }
    if (firstLine != null && firstLine.startsWith("#!")) {
      if (firstLine.contains("python")) {
        return PYTHON;
      }
      if (firstLine.contains("node") || firstLine.contains("deno")) {
        return JAVASCRIPT;
      }
      if (firstLine.matches(".*\\b(ba|z|k|da)?sh\\b.*")) {
        return SHELL;
      }
    }
    return OTHER;
  }

  /** Whether this is source code with imports and symbols we extract. */
  public boolean isCode() {
    return this != OTHER && this != SHELL;
  }
}
