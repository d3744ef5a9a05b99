package dev.cromwell.protocol.edit;

import java.util.List;
import java.util.Locale;

/**
 * An edit that may only add documentation ({@link DocOnlyInstruction}): the model still rewrites
 * the selection, but only the docstrings (Python) or doc comments (C-style languages) of its answer
 * are taken, and put into the selection as it was. Models asked for a docstring often also "tidy"
 * the code (Qwen2.5-Coder-1.5B adds return annotations), which an edit must not do.
 */
public final class DocOnlyEdit {
  private enum Language {
    PYTHON,
    C_STYLE,
    GO
  }

  private static final List<String> C_STYLE =
      List.of(
          "java", "js", "jsx", "mjs", "cjs", "ts", "tsx", "mts", "cts", "go", "c", "h", "cc", "cpp",
          "cxx", "hh", "hpp", "hxx", "cs", "rs", "kt", "kts", "swift", "scala", "dart", "php");

  private final Language language;
  private final String region;
  private final List<PythonDocstrings.Block> blocks;

  private DocOnlyEdit(Language language, String region, List<PythonDocstrings.Block> blocks) {
    this.language = language;
    this.region = region;
    this.blocks = blocks;
  }

  /**
   * The doc-only edit of {@code region} of the file {@code path} for {@code instruction}, or null
   * when the instruction asks for more than documentation (the ordinary edit applies).
   *
   * @throws EditException when the instruction asks only for documentation but this selection or
   *     language cannot take it without the model rewriting code: refused rather than handed to the
   *     ordinary edit, which may change code nobody asked to change
   */
  public static DocOnlyEdit of(String path, String region, String instruction)
      throws EditException {
    if (!DocOnlyInstruction.accepts(instruction)) {
      return null;
    }
    String name = path.toLowerCase(Locale.ROOT);
    String ext = name.substring(name.lastIndexOf('.') + 1);
    if (ext.equals("py") || ext.equals("pyi")) {
      List<PythonDocstrings.Block> blocks =
          PythonDocstrings.blocks(SourceLines.texts(SourceLines.of(region)));
      if (blocks.isEmpty()) {
        throw nothingToDocument(
            path,
            "def or class",
            " (a one-line def f(): ... must first get its body on a line of its own)");
      }
      return new DocOnlyEdit(Language.PYTHON, region, blocks);
    }
    if (C_STYLE.contains(ext)) {
      boolean declares =
          SourceLines.texts(SourceLines.of(region)).stream()
              .anyMatch(l -> DocComments.isDeclaration(l) && DocComments.name(l) != null);
      if (!declares) {
        throw nothingToDocument(path, "declaration", "");
      }
      return new DocOnlyEdit(ext.equals("go") ? Language.GO : Language.C_STYLE, region, List.of());
    }
    throw new EditException(
        path
            + ": the instruction asks only for documentation, and documentation-only edits know"
            + " Python docstrings and C-style doc comments but not ."
            + ext
            + " files, so the file is left as it was; to let the model rewrite the selection"
            + " (and possibly its code), ask for the comment in other words");
  }

  private static EditException nothingToDocument(String path, String what, String note) {
    return new EditException(
        path
            + ": the instruction asks only for documentation, but the selection holds no function"
            + " or class that can get one without changing code, so the file is left as it was;"
            + " select the whole function or class, from its "
            + what
            + " line"
            + note);
  }

  /**
   * True when the answer so far already holds all that this edit takes from it, so generation can
   * stop: a Python selection with one block for which the answer has closed a new docstring (not
   * the one the block has, which the answer may be repeating, nor one inside the SEARCH half of a
   * SEARCH/REPLACE block). With more blocks, or in other languages, the whole answer is read.
   */
  public boolean answerComplete(String answerSoFar) {
    if (language != Language.PYTHON || blocks.size() != 1) {
      return false;
    }
    String text = answerSoFar.replace("\r\n", "\n");
    int search = text.lastIndexOf(EditAnswerParser.SEARCH);
    if (search >= 0 && text.indexOf("\n" + EditAnswerParser.DIVIDER, search) < 0) {
      return false; // still copying the code to replace
    }
    List<String> regionLines = SourceLines.texts(SourceLines.of(region));
    PythonDocstrings.Block only = blocks.getFirst();
    int count = PythonDocstrings.headerCounts(regionLines).getOrDefault(only.name(), 0);
    List<String> doc = PythonDocstrings.docstringFor(code(text), only.key(), only.name(), count);
    return doc != null && !doc.equals(PythonDocstrings.docstring(regionLines, only));
  }

  /**
   * The selection with the answer's documentation put in, every code line as it was.
   *
   * @throws EditException when the answer documents nothing in the selection
   */
  public String apply(String answer) throws EditException {
    String code = code(answer);
    String merged =
        language == Language.PYTHON
            ? PythonDocstrings.merge(region, code)
            : DocComments.merge(region, code, language == Language.GO);
    if (merged == null || merged.equals(region)) {
      throw new EditException(
          "the instruction asks only for documentation, but the answer has no new "
              + (language == Language.PYTHON ? "docstring" : "doc comment")
              + " for a function or class in the selection, so the file is left as it was");
    }
    return merged;
  }

  /**
   * The code of an answer: the replacement parts of SEARCH/REPLACE blocks or diff hunks, else the
   * first fenced block — to its end or, when generation was stopped early or cut off, to the end of
   * the answer — else the whole answer.
   */
  static String code(String answer) {
    String text = closeOpenReplace(answer.replace("\r\n", "\n"));
    if (text.contains(EditAnswerParser.SEARCH) || EditAnswerParser.looksLikeDiff(text)) {
      try {
        List<EditAnswer.Block> blocks =
            switch (EditAnswerParser.parse(text)) {
              case EditAnswer.SearchReplace(var b) -> b;
              case EditAnswer.Diff(var h) -> h;
              case EditAnswer.Region r -> List.of(new EditAnswer.Block(1, "", r.text()));
            };
        StringBuilder out = new StringBuilder();
        blocks.forEach(b -> out.append(b.replace()));
        return out.toString();
      } catch (EditException e) {
        // A malformed block: read the answer as a region instead.
      }
    }
    List<FencedBlocks.Block> fenced = FencedBlocks.of(text);
    return fenced.isEmpty() ? text : fenced.getFirst().body();
  }

  /**
   * {@code text} with its last SEARCH/REPLACE block closed when generation stopped inside its
   * REPLACE half, so that half is read as the replacement rather than the answer as a region.
   */
  private static String closeOpenReplace(String text) {
    int search = text.lastIndexOf(EditAnswerParser.SEARCH);
    if (search < 0
        || text.indexOf("\n" + EditAnswerParser.DIVIDER, search) < 0
        || text.indexOf(EditAnswerParser.REPLACE, search) >= 0) {
      return text;
    }
    // Only complete lines: a cut-off last line is left out, as it may not be finished.
    return text.substring(0, text.lastIndexOf('\n') + 1) + EditAnswerParser.REPLACE + "\n";
  }
}
