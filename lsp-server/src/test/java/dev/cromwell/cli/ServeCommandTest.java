package dev.cromwell.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code cromwell serve}'s refusals, before any model is loaded. */
class ServeCommandTest {
  @Test
  void listeningBeyondLoopbackNeedsAnApiKey() {
    CliTest.Run r = CliTest.run("serve", "-m", "model.gguf", "--host", "0.0.0.0");
    assertEquals(ErrorReporter.BAD_INPUT, r.code(), r.err());
    assertEquals(
        "cromwell serve: listening on 0.0.0.0 (beyond this machine) needs an API key: pass"
            + " --api-key or set CROMWELL_API_KEY",
        r.err().strip());
  }

  @Test
  void badLimitsAreRefusedInOneLine() {
    CliTest.Run r = CliTest.run("serve", "-m", "model.gguf", "--port", "70000");
    assertEquals(ErrorReporter.BAD_INPUT, r.code(), r.err());
    assertTrue(r.err().startsWith("cromwell serve: --port must be 0-65535"), r.err());
  }

  @Test
  void anApiKeyOfOnlySpacesIsRefusedNotTakenForNone() {
    CliTest.Run r = CliTest.run("serve", "-m", "model.gguf", "--api-key", "   ");
    assertEquals(ErrorReporter.BAD_INPUT, r.code(), r.err());
    assertTrue(r.err().startsWith("cromwell serve: the API key"), r.err());
  }
}
