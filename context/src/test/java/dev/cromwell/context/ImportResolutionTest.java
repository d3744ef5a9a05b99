package dev.cromwell.context;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportResolutionTest {
  @TempDir Path dir;

  Set<String> importsOf(WorkspaceIndex index, Path file) {
    Set<String> out = new TreeSet<>();
    for (Path p : index.graph().importsOf(index.normalize(file))) {
      out.add(index.file(p).orElseThrow().relativePath());
    }
    return out;
  }

  @Test
  void everyLanguageResolvesToWorkspaceFiles() {
    Fixture f = new Fixture(dir);
    Path py =
        f.write(
            "app/main.py",
            "import app.util\nfrom .models import User\nfrom . import helpers\nimport os\n");
    f.write("app/util.py", "");
    f.write("app/models/__init__.py", "class User: pass\n");
    f.write("app/helpers.py", "");
    Path java =
        f.write(
            "src/main/java/a/b/Main.java",
            "package a.b;\nimport a.c.Util;\nimport a.d.*;\nimport static a.c.Util.max;\nimport java.util.List;\nclass Main {}\n");
    f.write("src/main/java/a/c/Util.java", "package a.c;\npublic class Util {}\n");
    f.write("src/main/java/a/d/One.java", "package a.d;\nclass One {}\n");
    f.write("src/main/java/a/d/Two.java", "package a.d;\nclass Two {}\n");
    Path ts =
        f.write(
            "web/src/index.ts",
            "import { x } from './lib/x.js';\nimport y from '../shared';\nimport react from 'react';\n");
    f.write("web/src/lib/x.ts", "export const x = 1;\n");
    f.write("web/shared/index.ts", "export default 2;\n");
    Path go =
        f.write("svc/cmd/main.go", "package main\nimport \"example.com/svc/internal/store\"\n");
    f.write("svc/internal/store/store.go", "package store\n");
    Path rs = f.write("crate/src/lib.rs", "mod net;\nuse crate::net::client::Client;\n");
    f.write("crate/Cargo.toml", "[package]\nname = \"c\"\n");
    f.write("crate/src/net/mod.rs", "pub mod client;\n");
    f.write("crate/src/net/client.rs", "pub struct Client;\n");
    Path c =
        f.write(
            "native/src/main.c",
            "#include \"util.h\"\n#include <proj/api.h>\n#include <stdio.h>\n");
    f.write("native/src/util.h", "int util(void);\n");
    f.write("native/include/proj/api.h", "int api(void);\n");
    WorkspaceIndex index = f.index();
    assertEquals(
        Set.of("app/util.py", "app/models/__init__.py", "app/helpers.py"), importsOf(index, py));
    assertEquals(
        Set.of(
            "src/main/java/a/c/Util.java",
            "src/main/java/a/d/One.java",
            "src/main/java/a/d/Two.java"),
        importsOf(index, java));
    assertEquals(Set.of("web/src/lib/x.ts", "web/shared/index.ts"), importsOf(index, ts));
    assertEquals(Set.of("svc/internal/store/store.go"), importsOf(index, go));
    assertEquals(Set.of("crate/src/net/mod.rs", "crate/src/net/client.rs"), importsOf(index, rs));
    assertEquals(Set.of("native/src/util.h", "native/include/proj/api.h"), importsOf(index, c));
    assertEquals(
        Set.of(index.normalize(py)),
        index.graph().importersOf(index.normalize(dir.resolve("app/util.py"))));
  }
}
