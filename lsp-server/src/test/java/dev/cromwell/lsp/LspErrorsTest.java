package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.eclipse.lsp4j.jsonrpc.ResponseErrorException;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode;
import org.junit.jupiter.api.Test;

class LspErrorsTest {
  @Test
  void eachRefusalHasItsCodeWhateverItsWording() {
    assertEquals(
        ResponseErrorCode.InvalidParams,
        LspErrors.code(new Refusal.BadArguments("cromwell.edit takes one argument", null)));
    assertEquals(
        ResponseErrorCode.ContentModified,
        LspErrors.code(new CompletionException(new Refusal.DocumentChanged("version 3, not 2"))));
    // The word "changed" no longer decides anything: a file named changed.py is just not open.
    assertEquals(
        ResponseErrorCode.RequestFailed,
        LspErrors.code(new Refusal.Failed("file:///w/changed.py is not open")));
    assertEquals(
        ResponseErrorCode.RequestFailed,
        LspErrors.code(
            new ExecutionException(new IllegalStateException("the model file changed on disk"))));
  }

  @Test
  void theResponseCarriesTheCodeAndTheMessageUnderTheFuturesWrapping() {
    CompletionException e =
        LspErrors.response(
            new CompletionException(new Refusal.DocumentChanged("the document changed")));
    var error = ((ResponseErrorException) e.getCause()).getResponseError();
    assertEquals(ResponseErrorCode.ContentModified.getValue(), error.getCode());
    assertEquals("the document changed", error.getMessage());
  }
}
