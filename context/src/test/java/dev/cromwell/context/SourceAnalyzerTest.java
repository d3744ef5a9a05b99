package dev.cromwell.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SourceAnalyzerTest {
  static List<String> names(SourceFacts facts) {
    return facts.symbols().stream().map(Symbol::name).toList();
  }

  @Test
  void python() {
    SourceFacts f =
        SourceAnalyzer.analyze(
            "import os, sys as system\nfrom .util import helper\nfrom pkg.mod import thing\n# import fake\n"
                + "s = \"import alsofake\"\n\nclass Greeter:\n    def greet(self):\n        return 'hi'\n\n"
                + "async def main():\n    pass\n",
            Language.PYTHON);
    assertEquals(
        List.of("os", "sys", ".util", ".util.helper", "pkg.mod", "pkg.mod.thing"), f.imports());
    assertEquals(List.of("Greeter", "greet", "main"), names(f));
    Symbol greeter = f.symbols().get(0);
    assertEquals(6, greeter.line());
    assertEquals(8, greeter.endLine());
    assertTrue(f.identifiers().contains("helper"));
    assertFalse(f.identifiers().contains("alsofake"), "strings are not code");
    assertFalse(f.identifiers().contains("fake"), "comments are not code");
  }

  @Test
  void javaAndKotlin() {
    SourceFacts j =
        SourceAnalyzer.analyze(
            "package a.b;\n\nimport java.util.List;\nimport static a.c.Util.max;\nimport a.d.*;\n/* import x.Y; */\n"
                + "public class Foo {\n  private int n;\n  public List<String> names(int k) throws Exception {\n    return null;\n  }\n}\n",
            Language.JAVA);
    assertEquals("a.b", j.packageName());
    assertEquals(List.of("java.util.List", "a.c.Util.max", "a.d.*"), j.imports());
    assertEquals(List.of("Foo", "names"), names(j));
    assertEquals(11, j.symbols().get(0).endLine());
    SourceFacts k =
        SourceAnalyzer.analyze(
            "package p\nimport q.R\nclass A {\n  fun go(x: Int): Int = x\n}\n", Language.KOTLIN);
    assertEquals(List.of("q.R"), k.imports());
    assertEquals(List.of("A", "go"), names(k));
  }

  @Test
  void javascriptAndTypescript() {
    SourceFacts f =
        SourceAnalyzer.analyze(
            "import x from './x.js';\nimport {a, b} from \"../lib/util\";\nimport './side';\nconst fs = require('fs');\n"
                + "export * from './all';\n// import nope from './nope';\n"
                + "export function run() {}\nexport class Box {\n  open(lid) {\n    return lid;\n  }\n}\nconst add = (a, b) => a + b;\ninterface Shape {}\n",
            Language.TYPESCRIPT);
    assertEquals(List.of("./x.js", "../lib/util", "./side", "fs", "./all"), f.imports());
    assertEquals(List.of("run", "Box", "open", "add", "Shape"), names(f));
  }

  @Test
  void goRustAndC() {
    SourceFacts go =
        SourceAnalyzer.analyze(
            "package main\n\nimport \"fmt\"\nimport (\n  \"example.com/m/util\"\n  alias \"os\"\n)\n\nfunc (s *S) Do() {}\nfunc main() {\n}\ntype S struct{}\n",
            Language.GO);
    assertEquals(List.of("fmt", "example.com/m/util", "os"), go.imports());
    assertEquals(List.of("Do", "main", "S"), names(go));
    SourceFacts rust =
        SourceAnalyzer.analyze(
            "use crate::net::Client;\nmod util;\npub mod api;\npub(crate) fn run<'a>(x: &'a str) -> char { 'x' }\nstruct Point { x: i32 }\n",
            Language.RUST);
    assertEquals(List.of("crate::net::Client", "mod:util", "mod:api"), rust.imports());
    assertEquals(List.of("util", "api", "run", "Point"), names(rust));
    SourceFacts c =
        SourceAnalyzer.analyze(
            "#include <stdio.h>\n#include \"util.h\"\n#define MAX 3\nstruct node { int v; };\nstatic int add(int a, int b) {\n  return a + b;\n}\nint main(void)\n{\n  if (x) { }\n}\n",
            Language.C);
    assertEquals(List.of("<stdio.h", "util.h"), c.imports()); // "<" marks a system include
    assertEquals(List.of("MAX", "node", "add"), names(c).subList(0, 3));
  }

  @Test
  void unterminatedStringsAndCommentsDoNotBreakTheLexer() {
    SourceFacts f =
        SourceAnalyzer.analyze(
            "x = \"unterminated\ndef ok():\n    pass\n/* never closed", Language.PYTHON);
    assertEquals(List.of("ok"), names(f));
  }
}
