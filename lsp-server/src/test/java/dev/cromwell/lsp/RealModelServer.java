package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cromwell.testing.RealModels;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The server over a real pipe with the real SmolLM2, loaded and warmed up as an editor's server
 * loads it (from the settings, through the model store): what the real-model LSP tests start from.
 */
final class RealModelServer {
  private RealModelServer() {}

  /**
   * An initialized server whose model is ready, with {@code settings} (name, value pairs, as an
   * editor's initializationOptions) on top of the test defaults and the real SmolLM2.
   */
  static LspHarness start(String... settings) throws Exception {
    String[] pairs =
        Stream.concat(Stream.of("model", RealModels.smollm2().toString()), Arrays.stream(settings))
            .toArray(String[]::new);
    ServerConfig cfg = LspServerTest.config(0).apply(LspServerTest.options(pairs)).config();
    LspHarness h =
        new LspHarness(
            cfg, c -> CromwellLanguageServer.loadModel(c, ModelDownloads.fromEnvironment()));
    try {
      h.initialize(null, null, null);
      awaitReady(h);
      return h;
    } catch (Exception | AssertionError e) {
      h.close();
      throw e;
    }
  }

  /** Loading and warming up the real model can take long on a busy machine. */
  private static void awaitReady(LspHarness h) throws Exception {
    long deadline = System.currentTimeMillis() + 300_000;
    Object state = null;
    while (System.currentTimeMillis() < deadline) {
      state = h.server.status().get(30, TimeUnit.SECONDS).get("modelState");
      if (!"loading".equals(state)) {
        break;
      }
      Thread.sleep(100);
    }
    assertEquals("ready", state);
  }
}
