package dev.cromwell.lsp;

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
}
