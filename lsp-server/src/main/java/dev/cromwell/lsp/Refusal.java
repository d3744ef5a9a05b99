package dev.cromwell.lsp;

/**
 * Why Cromwell refuses an LSP request, as a type: {@link LspErrors} is the one place that turns
 * each kind into an LSP error code, so no code is ever chosen from a message's wording. The message
 * is what the user is shown.
 */
abstract sealed class Refusal extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private Refusal(String message, Throwable cause) {
    super(message, cause);
  }

  /** The request's arguments do not have the documented shape. */
  static final class BadArguments extends Refusal {
    private static final long serialVersionUID = 1L;

    BadArguments(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The document moved on from the version the request was made for; asking again may work. */
  static final class DocumentChanged extends Refusal {
    private static final long serialVersionUID = 1L;

    DocumentChanged(String message) {
      super(message, null);
    }
  }

  /**
   * The request cannot be done as asked: the document is not open, no model is loaded, the
   * instruction is empty, or the model's answer was refused.
   */
  static final class Failed extends Refusal {
    private static final long serialVersionUID = 1L;

    Failed(String message) {
      super(message, null);
    }

    /**
     * The editor never opened {@code uri} on the server. The usual cause: a buffer saved under a
     * new name, which Neovim does not send again until it is reopened.
     */
    static Failed notOpen(String uri) {
      return new Failed(
          uri
              + " is not open on the Cromwell server (a buffer saved under a new name is sent"
              + " again only when it is reopened, in Neovim with :e); reopen it and ask again");
    }
  }
}
