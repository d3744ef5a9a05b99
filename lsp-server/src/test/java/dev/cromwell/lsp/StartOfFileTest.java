package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.cromwell.engine.RealModels;
import dev.cromwell.engine.model.Model;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.CompletionParams;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.TextDocumentIdentifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 18, finding 8: a completion at the very start of a file (nothing before the cursor) used to
 * fail with -32603 and a stack trace; it is an ordinary, possibly empty, answer. Real model.
 */
@Timeout(120)
class StartOfFileTest {
  @Test
  void aCompletionAtTheStartOfAFileIsAnsweredWithoutAnError() throws Exception {
    try (LspHarness h =
        new LspHarness(
            LspServerTest.config(0),
            cfg ->
                new ModelCompleter(
                    Model.load(RealModels.smollm2(), new Model.Options(2, 1024)), 1L << 28))) {
      h.initialize(null, null, null);
      h.awaitStatus("modelState", "ready");
      LspServerTest.open(h, "untitled:a.py", "python", "def add(a, b):\n    return a + b\n");
      LspServerTest.open(h, "untitled:empty.py", "python", "");
      for (String uri : new String[] {"untitled:a.py", "untitled:empty.py"}) {
        var answer =
            h.server
                .getTextDocumentService()
                .completion(
                    new CompletionParams(new TextDocumentIdentifier(uri), new Position(0, 0)))
                .get(60, TimeUnit.SECONDS);
        assertNotNull(answer.getRight(), uri);
        LspServerTest.inline(h, uri, 0, 0).get(60, TimeUnit.SECONDS);
      }
    }
  }
}
