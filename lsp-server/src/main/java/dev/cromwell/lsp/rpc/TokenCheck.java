package dev.cromwell.lsp.rpc;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.jsonrpc.messages.RequestMessage;

/** Reads {@code initializationOptions.token} from an {@code initialize} request. */
final class TokenCheck {
  private TokenCheck() {}

  static String tokenOf(RequestMessage initialize) {
    if (!(initialize.getParams() instanceof InitializeParams params)) {
      return null;
    }
    Object options = params.getInitializationOptions();
    JsonElement json =
        options instanceof JsonElement e
            ? e
            : options == null ? null : new Gson().toJsonTree(options);
    if (json == null || !json.isJsonObject()) {
      return null;
    }
    JsonElement token = json.getAsJsonObject().get("token");
    return token != null && token.isJsonPrimitive() ? token.getAsString() : null;
  }
}
