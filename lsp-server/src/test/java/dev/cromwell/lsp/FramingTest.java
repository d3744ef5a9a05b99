package dev.cromwell.lsp;

import static dev.cromwell.lsp.RawLsp.frame;
import static dev.cromwell.lsp.RawLsp.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.cromwell.lsp.rpc.FrameLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 18, finding 2 and 3: one bad frame costs only itself. Each test sends a broken frame
 * followed by a good request over a real pipe, and the good request must be answered.
 */
@org.junit.jupiter.api.Timeout(60)
class FramingTest {
  private static final String STATUS = status(2);

  private static RawLsp server() throws Exception {
    return new RawLsp(LspServerTest.config(0), FrameLimits.defaults()).initialize();
  }

  @Test
  void theIssuesReproAContentLengthTooSmallStillAnswersTheNextMessage() throws Exception {
    try (RawLsp lsp = server()) {
      lsp.send("Content-Length: 10\r\n\r\n" + STATUS + frame(STATUS));
      assertEquals(2, lsp.answerTo(2, 10).get("id").getAsInt());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"-5", "abc", "", "99999999999999999999999", "1e3"})
  void aContentLengthThatIsNotALengthCostsOnlyItsOwnMessage(String length) throws Exception {
    try (RawLsp lsp = server()) {
      lsp.send("Content-Length: " + length + "\r\n\r\n" + status(1) + frame(STATUS));
      JsonObject answer = lsp.answerTo(2, 10);
      assertTrue(answer.has("result"), answer.toString());
      assertTrue(lsp.log.stream().anyMatch(l -> l.startsWith("bad frame")), lsp.log.toString());
    }
  }

  @Test
  void aMissingContentLengthAndLineGarbageAreSkipped() throws Exception {
    try (RawLsp lsp = server()) {
      lsp.send("Content-Type: application/json\r\n\r\n" + status(1) + "\r\nhello\r\n\r\n");
      lsp.send(frame(STATUS));
      assertTrue(lsp.answerTo(2, 10).has("result"));
    }
  }

  @Test
  void aContentLengthTooLargeSwallowsNoLaterMessage() throws Exception {
    try (RawLsp lsp = server()) {
      // The first message claims 20 bytes more than it has: they are the next message's start.
      lsp.send("Content-Length: " + (status(1).length() + 20) + "\r\n\r\n" + status(1));
      lsp.send(frame(STATUS));
      assertTrue(lsp.answerTo(2, 10).has("result"), lsp.log.toString());
    }
  }

  @Test
  void aLargeMessageWithAWrongFieldTypeIsAnsweredWithAnErrorAndTheNextIsServed() throws Exception {
    try (RawLsp lsp = server()) {
      String padding = "x".repeat(20_000);
      String wrongType =
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"textDocument/completion\",\"params\":"
              + "{\"textDocument\":{\"uri\":\"file:///a\"},\"position\":{\"line\":\"zero\","
              + "\"character\":0},\"pad\":\""
              + padding
              + "\"}}";
      lsp.send(frame(wrongType) + frame(STATUS));
      JsonObject first = lsp.answerTo(1, 10);
      assertTrue(first.has("error"), first.toString());
      assertTrue(lsp.answerTo(2, 10).has("result"));
    }
  }

  @Test
  void aBodyThatIsNotJsonGetsParseErrorWhenItsIdCanBeRecovered() throws Exception {
    try (RawLsp lsp = server()) {
      lsp.send(frame("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"cromwell/status\",,,}"));
      JsonObject answer = lsp.answerTo(7, 10);
      assertEquals(-32700, answer.getAsJsonObject("error").get("code").getAsInt());
      lsp.send(frame(STATUS));
      assertTrue(lsp.answerTo(2, 10).has("result"));
    }
  }

  @Test
  void aMessageOverTheLimitIsRefusedWithAnErrorAndTheNextIsServed() throws Exception {
    try (RawLsp lsp =
        new RawLsp(LspServerTest.config(0), FrameLimits.withMessageMegabytes(1)).initialize()) {
      String big =
          "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"cromwell/status\",\"params\":{\"p\":\""
              + "y".repeat(3 << 20)
              + "\"}}";
      Thread writer =
          new Thread(
              () -> {
                try {
                  lsp.send(frame(big) + frame(STATUS));
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      writer.start();
      JsonObject refused = lsp.answerTo(5, 10);
      assertEquals(-32600, refused.getAsJsonObject("error").get("code").getAsInt());
      assertTrue(
          refused.getAsJsonObject("error").get("message").getAsString().contains("limit"),
          refused.toString());
      assertTrue(lsp.answerTo(2, 10).has("result"));
      writer.join();
    }
  }

  @Test
  void badFramesAreLoggedInShortLines() throws Exception {
    try (RawLsp lsp = server()) {
      lsp.send("z".repeat(200_000) + "\r\n" + "Content-Length: 5\r\n\r\n" + "w".repeat(100_000));
      lsp.send(frame(STATUS));
      assertTrue(lsp.answerTo(2, 10).has("result"));
      assertFalse(lsp.log.isEmpty());
      for (String line : lsp.log) {
        assertTrue(
            line.length() < 400,
            line.length() + " chars: " + line.substring(0, Math.min(400, line.length())));
      }
    }
  }

  @Test
  void aPeerThatSendsNoHeadersAtAllIsDroppedWithAMessage() throws Exception {
    try (RawLsp lsp =
        new RawLsp(LspServerTest.config(0), new FrameLimits(8192, 1 << 20, 1 << 20))) {
      // As `cromwell lsp < /dev/zero`: zeros until the server gives up (it stops reading, so
      // the writer blocks on the full pipe; it is a daemon thread).
      Thread writer =
          new Thread(
              () -> {
                byte[] zeros = new byte[1 << 16];
                try {
                  while (true) {
                    lsp.send(zeros);
                  }
                } catch (java.io.IOException e) {
                  // the pipe closed
                }
              });
      writer.setDaemon(true);
      writer.start();
      assertEquals(1, (int) lsp.exitCode.get(10, java.util.concurrent.TimeUnit.SECONDS));
      assertTrue(
          lsp.log.stream().anyMatch(l -> l.contains("does not speak LSP")), lsp.log.toString());
    }
  }
}
