package dev.cromwell.context;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Source languages: detected by file extension or shebang for the index, and named by editors with
 * their LSP language ids. The constants after {@code SHELL} are known only for their comment syntax
 * (an editor names them; the index does not detect or analyze them).
 */
public enum Language {
  PYTHON("#", "\"\"\"", "\"\"\"", "python"),
  JAVA("//", "/*", "*/", "java"),
  KOTLIN("//", "/*", "*/", "kotlin"),
  JAVASCRIPT("//", "/*", "*/", "javascript", "javascriptreact"),
  TYPESCRIPT("//", "/*", "*/", "typescript", "typescriptreact"),
  GO("//", "/*", "*/", "go"),
  RUST("//", "/*", "*/", "rust"),
  C("//", "/*", "*/", "c"),
  CPP("//", "/*", "*/", "cpp"),
  SHELL("#", null, null, "shellscript"),
  RUBY("#", null, null, "ruby"),
  PERL("#", null, null, "perl"),
  R("#", null, null, "r"),
  YAML("#", null, null, "yaml"),
  TOML("#", null, null, "toml"),
  MAKEFILE("#", null, null, "makefile"),
  DOCKERFILE("#", null, null, "dockerfile"),
  LUA("--", null, null, "lua"),
  SQL("--", null, null, "sql"),
  HASKELL("--", null, null, "haskell"),
  OTHER(null, null, null);

  /** File extensions, each language's usual one first (the one {@link #extension} gives). */
  private static final List<Map.Entry<String, Language>> BY_EXTENSION =
      List.of(
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

  private static final Map<String, Language> EXTENSIONS =
      BY_EXTENSION.stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));

  /** Starts a line comment, or null. */
  final String lineComment;

  /** Opens a block comment (for Python: a docstring), or null. */
  final String blockOpen;

  final String blockClose;

  /** The LSP language ids ({@code TextDocumentItem.languageId}) that mean this language. */
  private final List<String> languageIds;

  Language(String lineComment, String blockOpen, String blockClose, String... languageIds) {
    this.lineComment = lineComment;
    this.blockOpen = blockOpen;
    this.blockClose = blockClose;
    this.languageIds = List.of(languageIds);
  }

  /** The language an editor means by LSP language id {@code id}; OTHER when unknown or null. */
  public static Language ofLanguageId(String id) {
    if (id == null) {
      return OTHER; // List.contains(null) throws
    }
    for (Language l : values()) {
      if (l.languageIds.contains(id)) {
        return l;
      }
    }
    return OTHER;
  }

  /** This language's usual file extension ({@code py}), or null when the index knows none. */
  public String extension() {
    return BY_EXTENSION.stream()
        .filter(e -> e.getValue() == this)
        .map(Map.Entry::getKey)
        .findFirst()
        .orElse(null);
  }

  /** What starts a line comment, or null when the language has none we know. */
  public String lineComment() {
    return lineComment;
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
    return switch (this) {
      case PYTHON, JAVA, KOTLIN, JAVASCRIPT, TYPESCRIPT, GO, RUST, C, CPP -> true;
      default -> false;
    };
  }
}
