package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's cache rules, with stub completers (the real model's reuse is {@code
 * LspDaemonTest}'s): a released model is leased once to a matching key, never to another key or
 * after its file changed, and only one is kept idle.
 */
class WarmModelsTest {
  @TempDir Path dir;

  @Test
  void aReleasedModelGoesToTheNextMatchingLeaseOnly() throws Exception {
    Path file = Files.writeString(dir.resolve("m.gguf"), "weights");
    ServerConfig cfg = ServerConfig.defaults();
    WarmModels warm = new WarmModels();
    Completer first = warm.lease(WarmModels.Key.of(file, cfg), () -> new StubCompleter("a"));
    assertFalse(warm.reused(first));
    assertTrue(warm.release(first));
    Completer again = warm.lease(WarmModels.Key.of(file, cfg), () -> new StubCompleter("c"));
    assertSame(first, again);
    assertTrue(warm.reused(again));
    // Leased exclusively: a second lease with the same key while it is out loads its own.
    Completer concurrent = warm.lease(WarmModels.Key.of(file, cfg), () -> new StubCompleter("d"));
    assertNotSame(again, concurrent);
    assertTrue(warm.release(again));
    // Other settings: loaded anew, and the idle model is closed first (never two resident).
    ServerConfig other =
        cfg.apply(com.google.gson.JsonParser.parseString("{\"threads\":1}")).config();
    Completer loaded =
        warm.lease(
            WarmModels.Key.of(file, other),
            () -> {
              assertTrue(((StubCompleter) again).closed, "the idle model was closed before");
              return new StubCompleter("b");
            });
    assertNotSame(first, loaded);
    assertFalse(warm.holdsIdle());
    warm.close();
  }

  @Test
  void aModelWhoseFileChangedIsNotKept() throws Exception {
    Path file = Files.writeString(dir.resolve("m.gguf"), "weights");
    WarmModels warm = new WarmModels();
    Completer c =
        warm.lease(WarmModels.Key.of(file, ServerConfig.defaults()), () -> new StubCompleter("a"));
    Files.writeString(file, "other weights");
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
    assertFalse(warm.release(c));
    assertFalse(warm.holdsIdle());
  }

  @Test
  void aReleaseAfterCloseClosesInsteadOfKeeping() throws Exception {
    Path file = Files.writeString(dir.resolve("m.gguf"), "weights");
    WarmModels warm = new WarmModels();
    Completer c =
        warm.lease(WarmModels.Key.of(file, ServerConfig.defaults()), () -> new StubCompleter("a"));
    warm.close();
    assertFalse(warm.release(c));
    assertFalse(warm.holdsIdle());
  }

  private static Path modelIn(String model, Path folder) {
    ServerConfig cfg =
        ServerConfig.defaults()
            .apply(com.google.gson.JsonParser.parseString("{\"model\":\"" + model + "\"}"))
            .config();
    return WarmModels.inFolder(cfg, folder).model();
  }

  @Test
  void aRelativeModelPathMeansTheSessionsFolder() throws Exception {
    Files.writeString(dir.resolve("local-model"), "weights");
    // A catalogue name stays one; so do home and absolute paths.
    assertEquals(Path.of("qwen2.5-coder-0.5b"), modelIn("qwen2.5-coder-0.5b", dir));
    assertEquals(Path.of("~"), modelIn("~", dir));
    assertEquals(Path.of("~/m.gguf"), modelIn("~/m.gguf", dir));
    assertEquals(Path.of("/opt/m.gguf"), modelIn("/opt/m.gguf", dir));
    // Paths, and a bare name that is a file in the folder, mean the folder's.
    assertEquals(dir.resolve("models/m.gguf"), modelIn("models/m.gguf", dir));
    assertEquals(dir.resolve("m.gguf"), modelIn("m.gguf", dir));
    assertEquals(dir.resolve("local-model"), modelIn("local-model", dir));
    // Not normalized: the file system resolves "..", as it would for the editor.
    assertEquals(dir.resolve("../m.gguf"), modelIn("../m.gguf", dir));
    // No folder (an older proxy): left as it is.
    assertEquals(Path.of("models/m.gguf"), modelIn("models/m.gguf", null));
  }
}
