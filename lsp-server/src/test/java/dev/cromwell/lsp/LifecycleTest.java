package dev.cromwell.lsp;

import static dev.cromwell.lsp.RawLsp.frame;
import static dev.cromwell.lsp.RawLsp.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.cromwell.lsp.rpc.FrameLimits;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 18, finding 9: the LSP lifecycle as the specification says, over a real pipe. */
@Timeout(60)
class LifecycleTest {
  private static final String INITIALIZE =
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"capabilities\":{}}}";

  @Test
  void requestsBeforeInitializeGetServerNotInitialized() throws Exception {
    try (RawLsp lsp = new RawLsp(LspServerTest.config(0), FrameLimits.defaults())) {
      lsp.send(frame(status(7)));
      JsonObject refused = lsp.answerTo(7, 10);
      assertEquals(-32002, refused.getAsJsonObject("error").get("code").getAsInt());
      lsp.send(frame(INITIALIZE));
      assertTrue(lsp.answerTo(1, 10).has("result"));
      lsp.send(frame(status(8)));
      assertTrue(lsp.answerTo(8, 10).has("result"));
    }
  }

  @Test
  void exitWithoutShutdownEndsWithCodeOne() throws Exception {
    RawLsp lsp = new RawLsp(LspServerTest.config(0), FrameLimits.defaults());
    lsp.send(frame(INITIALIZE));
    lsp.answerTo(1, 10);
    lsp.send(frame("{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}"));
    assertEquals(1, (int) lsp.exitCode.get(10, TimeUnit.SECONDS));
    lsp.close();
  }

  @Test
  void requestsAfterShutdownAreRefusedAndExitThenEndsWithCodeZero() throws Exception {
    RawLsp lsp = new RawLsp(LspServerTest.config(0), FrameLimits.defaults());
    lsp.send(frame(INITIALIZE));
    lsp.answerTo(1, 10);
    lsp.send(frame("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"shutdown\"}"));
    lsp.answerTo(2, 10);
    lsp.send(frame(status(3)));
    assertEquals(-32600, lsp.answerTo(3, 10).getAsJsonObject("error").get("code").getAsInt());
    lsp.send(frame("{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}"));
    assertEquals(0, (int) lsp.exitCode.get(10, TimeUnit.SECONDS));
    lsp.close();
  }
}
