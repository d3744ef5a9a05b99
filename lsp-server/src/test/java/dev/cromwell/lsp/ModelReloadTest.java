package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.cromwell.engine.RealModels;
import dev.cromwell.engine.model.Model;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.eclipse.lsp4j.DidChangeConfigurationParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 18, finding 8: 20 quick {@code didChangeConfiguration} flips used to start 20 parallel
 * loads of the real model, and an older load could be installed after a newer one. Now loads are
 * coalesced: one at a time, never two models resident, and the last configuration wins. A load
 * already running when a newer configuration arrives used to run to its end (warm-up included)
 * before being discarded; now it stops at once.
 */
@Timeout(120)
class ModelReloadTest {
  private final AtomicInteger loading = new AtomicInteger();
  private final AtomicInteger maxLoading = new AtomicInteger();
  private final AtomicInteger resident = new AtomicInteger();
  private final AtomicInteger maxResident = new AtomicInteger();
  private final AtomicInteger loads = new AtomicInteger();
  private volatile Counted installed;

  /** When each load's warm-up started and returned (nanoTime), in load order. */
  record WarmUp(int threads, long started, long returned) {
    long millis() {
      return (returned - started) / 1_000_000;
    }
  }

  private final List<WarmUp> warmUps = new CopyOnWriteArrayList<>();
  private final CountDownLatch secondWarmUpStarted = new CountDownLatch(1);

  /** A real model completer that counts how many models are alive. */
  final class Counted implements Completer, AutoCloseable {
    final ModelCompleter inner;
    final int threads;

    Counted(ServerConfig config) {
      this(config, false);
    }

    /** With {@code warm}, it also runs the server's own warm-up, as the real loader does. */
    Counted(ServerConfig config, boolean warm) {
      int now = loading.incrementAndGet();
      maxLoading.accumulateAndGet(now, Math::max);
      try {
        int load = loads.incrementAndGet();
        maxResident.accumulateAndGet(resident.incrementAndGet(), Math::max);
        inner =
            new ModelCompleter(
                Model.load(RealModels.smollm2(), new Model.Options(config.threads(), 512)),
                1L << 28);
        threads = config.threads();
        if (warm) {
          long started = System.nanoTime();
          if (load == 2) {
            secondWarmUpStarted.countDown();
          }
          ModelWarmup.warm(inner);
          warmUps.add(new WarmUp(threads, started, System.nanoTime()));
        }
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

  @Test
  void aNewerConfigurationStopsTheLoadAlreadyRunning() throws Exception {
    try (LspHarness h =
        new LspHarness(LspServerTest.config(0), config -> new Counted(config, true))) {
      h.initialize(null, null, null); // load 1: 1 thread, warmed up in full (the JIT gets warm)
      h.awaitStatus("modelState", "ready");
      flip(h, 2); // load 2
      secondWarmUpStarted.await();
      Thread.sleep(100);
      long flipped = System.nanoTime();
      flip(h, 1); // load 3 supersedes load 2 while it warms up
      long deadline = System.currentTimeMillis() + 60_000;
      while (System.currentTimeMillis() < deadline
          && !(warmUps.size() == 3
              && installed != null
              && "ready".equals(h.server.status().get().get("modelState")))) {
        Thread.sleep(20);
      }
      assertEquals(3, warmUps.size(), "warm-ups: " + warmUps);
      WarmUp stale = warmUps.get(1);
      WarmUp winner = warmUps.get(2);
      long staleAfterFlipMs = (stale.returned() - flipped) / 1_000_000;
      String measured =
          "stale load ran "
              + staleAfterFlipMs
              + " ms after the newer configuration; a whole warm-up of the winner took "
              + winner.millis()
              + " ms; warm-ups "
              + warmUps.stream().map(WarmUp::millis).toList()
              + " ms";
      System.out.println("ModelReloadTest: " + measured);
      assertEquals(1, installed.threads, "the last configuration wins");
      assertEquals(1, maxResident.get(), "two models were resident at once");
      assertTrue(
          staleAfterFlipMs * 2 < winner.millis(), "the stale load was not cut short: " + measured);
    }
  }

  private static void flip(LspHarness h, int threads) {
    JsonObject flip = new JsonObject();
    flip.addProperty("threads", threads);
    h.server.getWorkspaceService().didChangeConfiguration(new DidChangeConfigurationParams(flip));
  }
}
