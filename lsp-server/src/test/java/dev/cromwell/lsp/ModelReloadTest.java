package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.cromwell.engine.RealModels;
import dev.cromwell.engine.model.Model;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.eclipse.lsp4j.DidChangeConfigurationParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 18, finding 8: 20 quick {@code didChangeConfiguration} flips used to start 20 parallel
 * loads of the real model, and an older load could be installed after a newer one. Now loads are
 * coalesced: one at a time, never two models resident, and the last configuration wins.
 */
@Timeout(120)
class ModelReloadTest {
  private final AtomicInteger loading = new AtomicInteger();
  private final AtomicInteger maxLoading = new AtomicInteger();
  private final AtomicInteger resident = new AtomicInteger();
  private final AtomicInteger maxResident = new AtomicInteger();
  private final AtomicInteger loads = new AtomicInteger();
  private volatile Counted installed;

  /** A real model completer that counts how many models are alive. */
  final class Counted implements Completer, AutoCloseable {
    final ModelCompleter inner;
    final int threads;

    Counted(ServerConfig config) {
      int now = loading.incrementAndGet();
      maxLoading.accumulateAndGet(now, Math::max);
      try {
        loads.incrementAndGet();
        maxResident.accumulateAndGet(resident.incrementAndGet(), Math::max);
        inner =
            new ModelCompleter(
                Model.load(RealModels.smollm2(), new Model.Options(config.threads(), 512)),
                1L << 28);
        threads = config.threads();
        installed = this;
      } finally {
        loading.decrementAndGet();
      }
    }

    @Override
    public Output complete(
        String key,
        List<dev.cromwell.protocol.FimFormat.Part> prompt,
        dev.cromwell.engine.generate.GenerationRequest.TextStop stop,
        int maxTokens,
        long timeLimitNanos,
        BooleanSupplier cancelled) {
      return inner.complete(key, prompt, stop, maxTokens, timeLimitNanos, cancelled);
    }

    @Override
    public dev.cromwell.protocol.FimFormat format() {
      return inner.format();
    }

    @Override
    public void forget(String key) {
      inner.forget(key);
    }

    @Override
    public int sessions() {
      return inner.sessions();
    }

    @Override
    public dev.cromwell.edit.EditModel editModel() {
      return inner.editModel();
    }

    @Override
    public int countTokens(String text) {
      return inner.countTokens(text);
    }

    @Override
    public void close() {
      inner.model().close();
      resident.decrementAndGet();
    }
  }

  @Test
  void twentyConfigurationFlipsLoadOneModelAtATimeAndTheLastWins() throws Exception {
    try (LspHarness h = new LspHarness(LspServerTest.config(0), Counted::new)) {
      h.initialize(null, null, null);
      h.awaitStatus("modelState", "ready");
      for (int i = 0; i < 20; i++) {
        JsonObject flip = new JsonObject();
        flip.addProperty("threads", 1 + i % 2);
        h.server
            .getWorkspaceService()
            .didChangeConfiguration(new DidChangeConfigurationParams(flip));
      }
      // The last flip asked for 2 threads.
      long deadline = System.currentTimeMillis() + 60_000;
      while (System.currentTimeMillis() < deadline
          && !(installed != null
              && installed.threads == 2
              && "ready".equals(h.server.status().get().get("modelState"))
              && loading.get() == 0)) {
        Thread.sleep(20);
      }
      Thread.sleep(500); // a stray older load would land now
      assertEquals("ready", h.server.status().get().get("modelState"));
      assertEquals(2, installed.threads, "the last configuration wins");
      assertEquals(1, maxLoading.get(), "loads overlapped");
      assertEquals(1, maxResident.get(), "two models were resident at once");
      assertTrue(loads.get() <= 6, loads.get() + " loads for 20 flips: not coalesced");
    }
  }
}
