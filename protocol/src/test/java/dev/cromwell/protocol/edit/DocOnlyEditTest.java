package dev.cromwell.protocol.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DocOnlyEditTest {
  static String apply(String path, String region, String answer) throws EditException {
    return DocOnlyEdit.of(path, region, "add a docstring").apply(answer);
  }

  @Test
  void anAddedReturnAnnotationIsNotTakenOnlyTheDocstring() throws EditException {
    // Qwen2.5-Coder-1.5B's answer on HumanEval/53: the docstring, and "-> int" nobody asked for.
    String region = "def add(x: int, y: int):\n    return x + y\n";
    String answer =
        "```python\ndef add(x: int, y: int) -> int:\n    \"\"\"Add two numbers.\"\"\"\n"
            + "    return x + y\n```\n";
    assertEquals(
        "def add(x: int, y: int):\n    \"\"\"Add two numbers.\"\"\"\n    return x + y\n",
        apply("a.py", region, answer));
  }

  @Test
  void anAnswerThatChangedTheCodeKeepsTheOriginalCode() throws EditException {
    String region =
        "def f(xs):\n    total = 0\n    for x in xs:\n        total += x\n    return total\n";
    String answer = "def f(xs):\n    '''Sum of xs.'''\n    return sum(xs)\n";
    assertEquals(
        "def f(xs):\n    '''Sum of xs.'''\n    total = 0\n    for x in xs:\n        total += x\n"
            + "    return total\n",
        apply("a.py", region, answer));
  }

  @Test
  void multiLineSignaturesAndDecoratorsGetTheDocstringAfterTheColon() throws EditException {
    String region =
        "@cache\n@other(1)\ndef f(\n    a,  # the first (one)\n    b=\")\",\n) -> int:\n"
            + "    return a\n";
    String answer =
        "@cache\n@other(1)\ndef f(\n        a,\n        b=\")\",\n) -> int:\n"
            + "    \"\"\"Pick a.\n\n    Args:\n        a: it.\n    \"\"\"\n    return a\n";
    assertEquals(
        "@cache\n@other(1)\ndef f(\n    a,  # the first (one)\n    b=\")\",\n) -> int:\n"
            + "    \"\"\"Pick a.\n\n    Args:\n        a: it.\n    \"\"\"\n    return a\n",
        apply("a.py", region, answer));
  }

  @Test
  void nestedBlocksArePairedByQualifiedNameAndIndentedAsTheirBody() throws EditException {
    String region =
        "class Box:\n  def get(self):\n    def get():\n      return 1\n    return get()\n"
            + "\ndef get():\n  return 2\n";
    // The answer indents with four spaces where the file uses two.
    String answer =
        "class Box:\n    \"\"\"A box.\"\"\"\n    def get(self):\n        \"\"\"The method.\"\"\"\n"
            + "        def get():\n            \"\"\"The inner one.\"\"\"\n            return 1\n"
            + "        return get()\n\ndef get():\n    \"\"\"The top one.\"\"\"\n    return 2\n";
    assertEquals(
        "class Box:\n  \"\"\"A box.\"\"\"\n  def get(self):\n    \"\"\"The method.\"\"\"\n"
            + "    def get():\n      \"\"\"The inner one.\"\"\"\n      return 1\n    return get()\n"
            + "\ndef get():\n  \"\"\"The top one.\"\"\"\n  return 2\n",
        apply("a.py", region, answer));
  }

  @Test
  void anExistingDocstringIsReplacedNotRepeated() throws EditException {
    String region = "def f():\n    \"\"\"Old\n    words.\"\"\"\n    return 1\n";
    String answer = "def f():\n    'New.'\n    return 1\n";
    assertEquals("def f():\n    'New.'\n    return 1\n", apply("a.py", region, answer));
  }

  @Test
  void crlfFilesKeepTheirLineEndsAndBytes() throws EditException {
    String region = "def f(a):\r\n    return a  \r\n";
    String answer = "```python\r\ndef f(a):\r\n    \"\"\"Identity.\"\"\"\r\n    return a\r\n```";
    assertEquals(
        "def f(a):\r\n    \"\"\"Identity.\"\"\"\r\n    return a  \r\n",
        apply("a.py", region, answer));
  }

  @Test
  void aSelectionOfTheDefLineAloneStillGetsTheDocstring() throws EditException {
    String region = "    def f(self):";
    String answer = "    def f(self):\n        \"\"\"Doc.\"\"\"\n        return 1\n";
    assertEquals("    def f(self):\n        \"\"\"Doc.\"\"\"", apply("a.py", region, answer));
  }

  @Test
  void anAnswerWithoutADocstringIsRefused() {
    String region = "def f():\n    return 1\n";
    EditException e =
        assertThrows(
            EditException.class, () -> apply("a.py", region, "def f() -> int:\n    return 1\n"));
    assertTrue(e.getMessage().contains("no new docstring"), e.getMessage());
    assertThrows(EditException.class, () -> apply("a.py", region, "Sure! Here it is."));
  }

  @Test
  void aJavaMethodGetsTheAnswersJavadocAboveItsAnnotations() throws EditException {
    String region =
        "  @Override\n  public int size() {\n    return n;\n  }\n\n  int  twice(int x) {\n"
            + "    return 2*x;\n  }\n";
    String answer =
        "```java\n/**\n * The size.\n */\n@Override\npublic int size() {\n  return this.n;\n}\n\n"
            + "/** Doubles {@code x}. */\nint twice(int x) {\n  return 2 * x;\n}\n```\n";
    assertEquals(
        "  /**\n   * The size.\n   */\n  @Override\n  public int size() {\n    return n;\n  }\n\n"
            + "  /** Doubles {@code x}. */\n  int  twice(int x) {\n    return 2*x;\n  }\n",
        apply("A.java", region, answer));
  }

  @Test
  void goAndSlashCommentRunsReplaceTheDeclarationsComment() throws EditException {
    String region = "// old words\nfunc (s *S) Len() int {\n\treturn s.n\n}\n";
    String answer = "// Len reports\n// the length.\nfunc (s *S) Len() int { return s.n }\n";
    assertEquals(
        "// Len reports\n// the length.\nfunc (s *S) Len() int {\n\treturn s.n\n}\n",
        apply("s.go", region, answer));
  }

  @Test
  void otherInstructionsKeepTheOrdinaryPath() throws EditException {
    assertNull(DocOnlyEdit.of("a.py", "def f():\n  pass\n", "fix the bug and add a docstring"));
  }

  @Test
  void docOnlySelectionsThatCannotTakeADocAreRefusedNotRewritten() {
    // Review M1: these fell back to the ordinary edit, which may change code.
    String[][] cases = {
      {"a.rb", "def f\nend\n", "not .rb files"},
      {"a.py", "x = 1\n", "from its def or class line"},
      {"a.py", "def f(): return 1\n", "one-line"},
      {"a.py", "class A: pass\n", "one-line"},
      {"a.py", "    total += x\n    return total\n", "from its def or class line"},
      {"A.java", "    return x;\n  }\n", "from its declaration line"},
    };
    for (String[] c : cases) {
      EditException e =
          assertThrows(EditException.class, () -> DocOnlyEdit.of(c[0], c[1], "add a docstring"));
      assertTrue(e.getMessage().startsWith(c[0] + ": "), e.getMessage());
      assertTrue(e.getMessage().contains(c[2]), e.getMessage());
    }
  }

  @Test
  void generationMayStopOnceTheOnlyBlocksDocstringIsClosed() throws EditException {
    DocOnlyEdit edit = DocOnlyEdit.of("a.py", "def f(a):\n    return a\n", "add a docstring");
    assertFalse(edit.answerComplete("```python\ndef f(a):\n    \"\"\"Ident"));
    assertFalse(edit.answerComplete("```python\ndef f(a):\n    \"\"\"Identity.\"\"\""));
    assertTrue(edit.answerComplete("```python\ndef f(a):\n    \"\"\"Identity.\"\"\"\n"));
    DocOnlyEdit two =
        DocOnlyEdit.of("a.py", "def f(a):\n    return a\ndef g():\n    pass\n", "document it");
    assertFalse(two.answerComplete("def f(a):\n    \"\"\"Identity.\"\"\"\n    return"));
  }

  @Test
  void directivesAndTheUsersLineCommentsAboveADeclarationAreKept() throws EditException {
    // Review H1: the "comment above" used to be replaced whole, directives and user notes too.
    assertEquals(
        "// content holds the static files.\n//go:embed static\nvar content embed.FS\n",
        apply(
            "a.go",
            "//go:embed static\nvar content embed.FS\n",
            "// content holds the static files.\nvar content embed.FS\n"));
    assertEquals(
        "// Add returns a+b.\n//export Add\nfunc Add(a, b C.int) C.int {\n}\n",
        apply(
            "a.go",
            "//export Add\nfunc Add(a, b C.int) C.int {\n}\n",
            "// Add returns a+b.\n//export Add\nfunc Add(a, b C.int) C.int {\n}\n"));
    assertEquals(
        "// F does.\n//nolint:gocyclo // big\nfunc F() {\n}\n",
        apply("a.go", "//nolint:gocyclo // big\nfunc F() {\n}\n", "// F does.\nfunc F() {\n}\n"));
    assertEquals(
        "/** Returns x. */\n// eslint-disable-next-line no-any\nfunction f(x) {\n  return x;\n}\n",
        apply(
            "a.ts",
            "// eslint-disable-next-line no-any\nfunction f(x) {\n  return x;\n}\n",
            "/** Returns x. */\nfunction f(x) {\n  return x;\n}\n"));
    assertEquals(
        "// int f(int x) { return x; }\n/** Doubles x. */\nint f(int x) { return x * 2; }\n",
        apply(
            "A.java",
            "// int f(int x) { return x; }\nint f(int x) { return x * 2; }\n",
            "/** Doubles x. */\nint f(int x) { return x * 2; }\n"));
    assertEquals(
        "/** New. */\n// keep me\nint f() { return 1; }\n",
        apply(
            "A.java",
            "/** Old. */\n// keep me\nint f() { return 1; }\n",
            "/** New. */\nint f() { return 1; }\n"));
    // An answer that repeats the user's comment does not add it twice.
    assertEquals(
        "// keep me\n/** New. */\nint f() { return 1; }\n",
        apply(
            "A.java",
            "// keep me\nint f() { return 1; }\n",
            "/** New. */\n// keep me\nint f() { return 1; }\n"));
  }

  @Test
  void aFirstStatementThatOnlyStartsWithAStringIsCodeNotADocstring() throws EditException {
    // Review H2: the string of "'prefix'; x += 1" was taken for a docstring and replaced whole.
    assertEquals(
        "def f(x):\n    \"\"\"Doc.\"\"\"\n    'prefix'; x += 1\n    return x\n",
        apply(
            "a.py",
            "def f(x):\n    'prefix'; x += 1\n    return x\n",
            "def f(x):\n    \"\"\"Doc.\"\"\"\n    x += 1\n    return x\n"));
    assertEquals(
        "def f(x):\n    \"\"\"Doc.\"\"\"\n    return 'abc'.join(x)\n",
        apply(
            "a.py",
            "def f(x):\n    return 'abc'.join(x)\n",
            "def f(x):\n    \"\"\"Doc.\"\"\"\n    return 'abc'.join(x)\n"));
    assertEquals(
        "def f(x):\n    \"\"\"Doc.\"\"\"\n    'abc'.join(x)\n    return x\n",
        apply(
            "a.py",
            "def f(x):\n    'abc'.join(x)\n    return x\n",
            "def f(x):\n    \"\"\"Doc.\"\"\"\n    'abc'.join(x)\n    return x\n"));
    assertEquals(
        "def f(x):\n    \"\"\"Doc.\"\"\"\n    f\"{x}\".upper()\n",
        apply("a.py", "def f(x):\n    f\"{x}\".upper()\n", "def f(x):\n    \"\"\"Doc.\"\"\"\n"));
    assertEquals(
        "def f(x):\n    \"\"\"Doc.\"\"\"\n    \"\"\"a\n    b\"\"\".split()\n",
        apply(
            "a.py",
            "def f(x):\n    \"\"\"a\n    b\"\"\".split()\n",
            "def f(x):\n    \"\"\"Doc.\"\"\"\n"));
    // A docstring followed by a comment, or with an escaped quote, is still one.
    assertEquals(
        "def f(x):\n    'New.'\n    return x\n",
        apply(
            "a.py",
            "def f(x):\n    'It\\'s old.'  # note\n    return x\n",
            "def f(x):\n    'New.'\n"));
  }

  @Test
  void oneLineBlocksCountSoSameNamedBlocksPairInOrder() throws EditException {
    // Review H3: one-line stubs were not counted, so the implementation got the first stub's doc.
    String region =
        "@overload\ndef parse(x: int) -> int: ...\n@overload\ndef parse(x: str) -> str: ...\n"
            + "def parse(x):\n    return x\n";
    String expanded =
        "@overload\ndef parse(x: int) -> int:\n    \"\"\"Parse an int.\"\"\"\n    ...\n"
            + "@overload\ndef parse(x: str) -> str:\n    \"\"\"Parse a str.\"\"\"\n    ...\n"
            + "def parse(x):\n    \"\"\"Parse anything.\"\"\"\n    return x\n";
    assertEquals(
        "@overload\ndef parse(x: int) -> int: ...\n@overload\ndef parse(x: str) -> str: ...\n"
            + "def parse(x):\n    \"\"\"Parse anything.\"\"\"\n    return x\n",
        apply("a.py", region, expanded));
    assertEquals(
        "def f(): return 1\n\ndef f(x):\n    \"\"\"Identity.\"\"\"\n    return x\n",
        apply(
            "a.py",
            "def f(): return 1\n\ndef f(x):\n    return x\n",
            "def f():\n    \"\"\"Returns one.\"\"\"\n    return 1\n\n"
                + "def f(x):\n    \"\"\"Identity.\"\"\"\n    return x\n"));
    // An answer that dropped a stub cannot be paired: refused, not guessed.
    String dropped =
        "@overload\ndef parse(x: int) -> int:\n    \"\"\"Parse an int.\"\"\"\n    ...\n"
            + "def parse(x):\n    \"\"\"Parse anything.\"\"\"\n    return x\n";
    EditException e = assertThrows(EditException.class, () -> apply("a.py", region, dropped));
    assertTrue(e.getMessage().contains("2 definitions named parse"), e.getMessage());
  }

  @Test
  void generationDoesNotStopOnTheSearchHalfOrTheDocstringTheFunctionHad() throws EditException {
    // Review M2: the SEARCH half repeats the old docstring, and stopping there was refused.
    DocOnlyEdit edit =
        DocOnlyEdit.of(
            "a.py", "def f(x):\n    \"\"\"Old.\"\"\"\n    return x\n", "add a docstring");
    String search = "<<<<<<< SEARCH\ndef f(x):\n    \"\"\"Old.\"\"\"\n";
    assertFalse(edit.answerComplete(search));
    assertFalse(edit.answerComplete(search + "=======\ndef f(x):\n    \"\"\"Old.\"\"\"\n"));
    assertFalse(edit.answerComplete("```python\ndef f(x):\n    \"\"\"Old.\"\"\"\n"));
    String replace = search + "=======\ndef f(x):\n    \"\"\"Identity.\"\"\"\n";
    assertTrue(edit.answerComplete(replace));
    assertEquals("def f(x):\n    \"\"\"Identity.\"\"\"\n    return x\n", edit.apply(replace));
    // Paired as merge pairs: a lone other-named block's docstring does not count.
    DocOnlyEdit g = DocOnlyEdit.of("a.py", "def f(x):\n    return g(x)\n", "add a docstring");
    assertFalse(g.answerComplete("def f(x):\n    def f(y):\n        \"\"\"Inner.\"\"\"\n"));
  }
}
