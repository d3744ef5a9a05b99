package dev.cromwell.lsp.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.lsp4j.jsonrpc.json.MessageJsonHandler;
import org.eclipse.lsp4j.jsonrpc.services.ServiceEndpoints;
import org.eclipse.lsp4j.services.LanguageServer;
import org.junit.jupiter.api.Test;

/** The one log line when the input fails says why, even when the exception has no message. */
class StoppedReadingTest {
  private static List<String> logOf(IOException failure) {
    InputStream failing =
        new InputStream() {
          @Override
          public int read() throws IOException {
            throw failure;
          }
        };
    List<String> log = new ArrayList<>();
    new FramedMessageProducer(
            failing,
            new MessageJsonHandler(ServiceEndpoints.getSupportedMethods(LanguageServer.class)),
            (message, issues) -> {},
            new FrameLimits(64, 1024, 1024),
            log::add)
        .listen(message -> {});
    return log;
  }

  @Test
  void theLogLineNamesTheFailure() {
    assertEquals(
        List.of("cromwell lsp: stopped reading: Broken pipe"),
        logOf(new IOException("Broken pipe")));
    // Before: "cromwell lsp: stopped reading: null".
    assertEquals(
        List.of("cromwell lsp: stopped reading: InterruptedIOException"),
        logOf(new InterruptedIOException()));
  }
}
