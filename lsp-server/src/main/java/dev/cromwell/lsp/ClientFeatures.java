package dev.cromwell.lsp;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
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

  /**
   * {@link #showsInlineCompletions(ClientCapabilities)} from the JSON of the capabilities (null
   * when absent), for the answer written before LSP4J reads them.
   */
  static boolean showsInlineCompletions(JsonObject capabilities) {
    JsonObject textDocument = member(capabilities, "textDocument");
    return member(textDocument, "inlineCompletion") != null;
  }

  /**
   * The position encodings the client offers ({@code general.positionEncodings}) from the JSON of
   * its capabilities, or null when it names none, as LSP4J reads them.
   */
  static List<String> positionEncodings(JsonObject capabilities) {
    JsonObject general = member(capabilities, "general");
    JsonElement offered = general == null ? null : general.get("positionEncodings");
    if (!(offered instanceof JsonArray array)) {
      return null;
    }
    List<String> encodings = new ArrayList<>();
    for (JsonElement e : array) {
      encodings.add(e.isJsonNull() ? null : e.getAsString());
    }
    return encodings;
  }

  /** The object {@code name} of {@code object}; null when either is absent, null or no object. */
  private static JsonObject member(JsonObject object, String name) {
    return object != null && object.get(name) instanceof JsonObject member ? member : null;
  }
}
