package dev.cromwell.lsp;

import org.eclipse.lsp4j.ClientCapabilities;

/** What a client said it can do, read once from {@code initialize}. */
final class ClientFeatures {
  private ClientFeatures() {}

  /**
   * Whether the client resolves a code action's edit through {@code codeAction/resolve}. Clients
   * that do not (eglot 1.9, for one) would otherwise get actions that do nothing when chosen.
   */
  static boolean resolvesCodeActionEdits(ClientCapabilities capabilities) {
    if (capabilities == null
        || capabilities.getTextDocument() == null
        || capabilities.getTextDocument().getCodeAction() == null) {
      return false;
    }
    var resolve = capabilities.getTextDocument().getCodeAction().getResolveSupport();
    return resolve != null
        && resolve.getProperties() != null
        && resolve.getProperties().contains("edit");
  }

  /**
   * Whether the client shows inline completions (LSP 3.18). Such a client gets no completion
   * provider: VS Code would otherwise ask for completion items too, and the newer request
   * supersedes the inline one, so the ghost text never came.
   */
  static boolean showsInlineCompletions(ClientCapabilities capabilities) {
    return capabilities != null
        && capabilities.getTextDocument() != null
        && capabilities.getTextDocument().getInlineCompletion() != null;
  }
}
