package dev.cromwell.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkspaceIndexTest {
  @TempDir Path dir;

  @Test
  void nestedGitignoresWithNegationsInfoExcludeAndGlobalExcludes() throws IOException {
    Fixture f = new Fixture(dir.resolve("repo"));
    Files.createDirectories(f.root.resolve(".git/info"));
    f.write(".git/info/exclude", "secret.txt\n");
    f.write(".gitignore", "*.log\n/generated/\n");
    f.write("keep.log.txt", "x");
    f.write("app.log", "x");
    f.write("important.log", "x");
    f.write("generated/a.py", "x = 1");
    f.write("src/generated/b.py", "y = 2"); // "/generated/" is anchored to the root
    f.write("src/.gitignore", "!important.log\n*.tmp\n!keep.tmp\n");
    f.write("src/important.log", "re-included by the nested negation");
    f.write("src/x.tmp", "x");
    f.write("src/keep.tmp", "x");
    f.write("secret.txt", "x");
    f.write("node_modules/lib/index.js", "x");
    f.write("global.bak", "x");
    Path global = f.write("../global-ignore", "*.bak\n");
    WorkspaceIndex index = f.index(new IndexOptions(1_000_000, List.of("extra/"), global));
    f.write("extra/x.py", "x");
    index.indexAll(IndexProgress.NONE);
    assertEquals(
        Set.of(
            ".gitignore",
            "keep.log.txt",
            "src/.gitignore",
            "src/generated/b.py",
            "src/important.log",
            "src/keep.tmp"),
        Fixture.paths(index));
    assertTrue(index.isIgnored(f.root.resolve("app.log")));
    assertFalse(index.isIgnored(f.root.resolve("src/important.log")));
  }

  @Test
  void worksInAFolderThatIsNotARepository() {
    Fixture f = new Fixture(dir);
    f.write("a.py", "import b\n");
    f.write("b.py", "def f():\n    pass\n");
    f.write("target/classes/X.class", new byte[] {(byte) 0xCA, (byte) 0xFE, 0, 0});
    WorkspaceIndex index = f.index();
    assertEquals(Set.of("a.py", "b.py"), Fixture.paths(index));
  }

  @Test
  void binaryHugeLatin1AndUtf16Files() {
    Fixture f = new Fixture(dir);
    f.write("blob.bin", new byte[] {1, 2, 0, 4});
    f.write("huge.txt", "x".repeat(2_000));
    f.write("latin1.txt", "caf\u00e9 cr\u00e8me".getBytes(StandardCharsets.ISO_8859_1));
    byte[] utf16 = "\uFEFFhello \u00fcber".getBytes(StandardCharsets.UTF_16LE);
    f.write("utf16.txt", utf16);
    f.write("bom8.py", "\uFEFFprint('hi')\n");
    WorkspaceIndex index = f.index(new IndexOptions(1_000, List.of(), dir.resolve("none")));
    assertEquals(Set.of("latin1.txt", "utf16.txt", "bom8.py"), Fixture.paths(index));
    assertEquals("café crème", index.file(dir.resolve("latin1.txt")).orElseThrow().text());
    assertEquals("ISO-8859-1", index.file(dir.resolve("latin1.txt")).orElseThrow().encoding());
    assertEquals("hello über", index.file(dir.resolve("utf16.txt")).orElseThrow().text());
    assertEquals("print('hi')\n", index.file(dir.resolve("bom8.py")).orElseThrow().text());
    assertTrue(index.skipped().get(dir.resolve("blob.bin")).contains("binary"));
    assertTrue(index.skipped().get(dir.resolve("huge.txt")).contains("larger than"));
  }

  @Test
  void symlinksNeverEscapeTheRootAndLoopsEnd() throws IOException {
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.writeString(outside.resolve("secret.py"), "password = 1");
    Fixture f = new Fixture(dir.resolve("ws"));
    f.write("src/main.py", "x = 1");
    Files.createSymbolicLink(f.root.resolve("escape"), outside);
    Files.createSymbolicLink(f.root.resolve("src/loop"), f.root);
    Files.createSymbolicLink(f.root.resolve("alias.py"), f.root.resolve("src/main.py"));
    WorkspaceIndex index = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> f.index());
    Set<String> paths = Fixture.paths(index);
    assertEquals(Set.of("src/main.py"), paths, "each file once, nothing from outside");
    assertTrue(index.skipped().get(f.root.resolve("escape")).contains("outside"));
  }

  @Test
  void openDocumentsOverrideDiskAndChangesUpdateOnlyTheirFile() throws IOException {
    Fixture f = new Fixture(dir);
    Path a = f.write("a.py", "def old():\n    pass\n");
    Path b = f.write("b.py", "x = 1\n");
    WorkspaceIndex index = f.index();
    IndexedFile bBefore = index.file(b).orElseThrow();
    index.openDocument(a, "def new():\n    pass\n");
    assertEquals("new", index.file(a).orElseThrow().facts().symbols().get(0).name());
    assertTrue(index.file(a).orElseThrow().open());
    Files.writeString(a, "def disk():\n    pass\n");
    index.fileChanged(a);
    assertEquals(
        "new", index.file(a).orElseThrow().facts().symbols().get(0).name(), "open buffer wins");
    index.closeDocument(a);
    assertEquals("disk", index.file(a).orElseThrow().facts().symbols().get(0).name());
    assertSame(bBefore, index.file(b).orElseThrow(), "untouched files are not re-read");
    Files.delete(b);
    index.fileDeleted(b);
    assertTrue(index.file(b).isEmpty());
    Path c = f.write("c.py", "y = 2\n");
    index.fileChanged(c);
    assertTrue(index.file(c).isPresent());
  }

  @Test
  void filesDeletedWhileIndexingInTheBackgroundAreHandled() throws Exception {
    Fixture f = new Fixture(dir);
    for (int i = 0; i < 1500; i++) {
      f.write("pkg" + (i % 30) + "/m" + i + ".py", "def f" + i + "():\n    return " + i + "\n");
    }
    WorkspaceIndex index = new WorkspaceIndex(List.of(dir), IndexOptions.defaults());
    var done = index.indexInBackground(IndexProgress.NONE);
    for (int i = 0; i < 1500; i += 2) {
      Files.deleteIfExists(dir.resolve("pkg" + (i % 30) + "/m" + i + ".py"));
    }
    int indexed = done.get();
    assertTrue(indexed >= 750 && indexed <= 1500, "indexed " + indexed);
    for (int i = 0; i < 1500; i += 2) {
      index.fileDeleted(dir.resolve("pkg" + (i % 30) + "/m" + i + ".py"));
    }
    assertEquals(750, index.files().size());
    assertTrue(index.files().stream().allMatch(x -> Files.exists(x.path())));
  }

  @Test
  void rootThatDoesNotExistIsAClearError() {
    var e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> new WorkspaceIndex(List.of(dir.resolve("nope")), IndexOptions.defaults()));
    assertTrue(e.getMessage().contains("nope"));
  }

  /**
   * Threads that ask for the import graph together get one graph: it is built once per change of
   * the workspace's structure, not once per thread that found it stale (each build walks every
   * file). Ten rounds, each after an import changed, with four threads released at once; a second
   * build shows as a second graph object.
   */
  @Test
  void threadsAskingTogetherShareOneBuildOfTheGraph() throws Exception {
    Fixture f = new Fixture(dir);
    for (int i = 0; i < 300; i++) {
      f.write(
          "m" + i + ".py",
          "import m"
              + (i + 1)
              + "\nfrom m"
              + (i + 2)
              + " import f"
              + (i + 2)
              + "\n\n\ndef f"
              + i
              + "(x):\n    return x + "
              + i
              + "\n");
    }
    WorkspaceIndex index = f.index();
    index.indexAll(IndexProgress.NONE);
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int round = 0; round < 10; round++) {
        index.openDocument(f.root.resolve("m0.py"), "import m" + (round + 3) + "\n");
        CyclicBarrier together = new CyclicBarrier(threads);
        List<Future<ImportGraph>> asked = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          asked.add(
              pool.submit(
                  () -> {
                    together.await();
                    return index.graph();
                  }));
        }
        Set<ImportGraph> graphs = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Future<ImportGraph> graph : asked) {
          graphs.add(graph.get(30, TimeUnit.SECONDS));
        }
        assertEquals(1, graphs.size(), "round " + round + ": the graph was built more than once");
        assertSame(index.graph(), graphs.iterator().next(), "an unchanged workspace built again");
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
