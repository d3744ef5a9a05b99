package dev.cromwell.lsp;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.eclipse.lsp4j.jsonrpc.ResponseErrorException;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseError;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode;

/** Failures as LSP errors: the one place where a {@link Refusal} gets its error code. */
final class LspErrors {
  private LspErrors() {}

  /** The LSP error code for {@code failure}; anything that is not a refusal failed the request. */
  static ResponseErrorCode code(Throwable failure) {
    return cause(failure) instanceof Refusal r
        ? switch (r) {
          case Refusal.BadArguments b -> ResponseErrorCode.InvalidParams;
          case Refusal.DocumentChanged d -> ResponseErrorCode.ContentModified;
          case Refusal.Failed f -> ResponseErrorCode.RequestFailed;
        }
        : ResponseErrorCode.RequestFailed;
  }

  /** {@code failure} as the error LSP4J answers the request with (for a future's stage). */
  static CompletionException response(Throwable failure) {
    return new CompletionException(
        new ResponseErrorException(new ResponseError(code(failure), message(failure), null)));
  }

  /** What to tell the user: the message of the failure under any future's wrapping. */
  static String message(Throwable failure) {
    return cause(failure).getMessage();
  }

  private static Throwable cause(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
