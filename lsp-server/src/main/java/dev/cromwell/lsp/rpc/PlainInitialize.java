package dev.cromwell.lsp.rpc;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * An opening {@code initialize} request read as a JSON tree, without LSP4J's reflective reader (its
 * Gson, the adapters of about a hundred capability classes and the annotation proxies they need
 * cost more than half of the time to the answer). Only the plain form is taken: strict JSON,
 * nothing but {@code jsonrpc}, {@code id}, {@code method} and {@code params} at the top, an id
 * LSP4J reads as it is (a string, or an integer in int range), and params whose fields have the
 * JSON kinds LSP4J's {@code InitializeParams} reads, down the paths the answer depends on. Anything
 * else is left to the launcher, which answers it as it always did.
 *
 * <p>Deeper inside {@code capabilities} the kinds are not checked: a client whose capabilities
 * LSP4J cannot read gets the early answer where LSP4J would have refused; {@link DropResponse} logs
 * it.
 *
 * @param id the request id, as LSP4J writes it back
 * @param params the params object
 */
public record PlainInitialize(JsonElement id, JsonObject params) {
  /** What each top-level field of {@code InitializeParams} must be, besides null. */
  private enum Kind {
    ANY,
    /** Not even null: LSP4J's setter refuses a null {@code capabilities}. */
    NON_NULL_OBJECT,
    OBJECT,
    STRING,
    INT,
    STRING_OR_INT,
    FOLDERS
  }

  private static final Map<String, Kind> PARAMS =
      Map.of(
          "processId", Kind.INT,
          "rootPath", Kind.STRING,
          "rootUri", Kind.STRING,
          "initializationOptions", Kind.ANY,
          "capabilities", Kind.NON_NULL_OBJECT,
          "clientInfo", Kind.OBJECT,
          "locale", Kind.STRING,
          "trace", Kind.STRING,
          "workspaceFolders", Kind.FOLDERS,
          "workDoneToken", Kind.STRING_OR_INT);

  /** The request in {@code body}, or null when it is not a plain {@code initialize}. */
  public static PlainInitialize of(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8);
    if (!isOneStrictValue(text)) {
      return null;
    }
    JsonElement tree;
    try {
      tree = JsonParser.parseString(text);
    } catch (RuntimeException e) {
      return null;
    }
    if (!tree.isJsonObject()) {
      return null;
    }
    JsonObject message = tree.getAsJsonObject();
    for (String key : message.keySet()) {
      if (!key.equals("jsonrpc")
          && !key.equals("id")
          && !key.equals("method")
          && !key.equals("params")) {
        return null;
      }
    }
    JsonElement id = idOf(message.get("id"));
    if (id == null
        || (message.has("jsonrpc") && !isString(message.get("jsonrpc"), false))
        || !isString(message.get("method"), false)
        || !message.get("method").getAsString().equals("initialize")
        || !(message.get("params") instanceof JsonObject params)
        || !hasReadableFields(params)) {
      return null;
    }
    return new PlainInitialize(id, params);
  }

  /** Whether {@code text} is one JSON value in the strict syntax, and nothing after it. */
  private static boolean isOneStrictValue(String text) {
    try (JsonReader reader = new JsonReader(new StringReader(text))) {
      reader.setStrictness(Strictness.STRICT);
      reader.skipValue();
      return reader.peek() == JsonToken.END_DOCUMENT;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The id as LSP4J reads and writes it back (a number as an Integer), or null. */
  private static JsonElement idOf(JsonElement id) {
    if (!(id instanceof JsonPrimitive p)) {
      return null;
    }
    if (p.isString()) {
      return p;
    }
    Integer n = p.isNumber() ? intOf(p.getAsString()) : null;
    return n == null ? null : new JsonPrimitive(n);
  }

  private static Integer intOf(String text) {
    // Digits only (no fraction, no exponent) and in int range: what JsonReader.nextInt takes as is.
    int start = text.startsWith("-") ? 1 : 0;
    if (text.length() == start || text.length() - start > 9) {
      return null;
    }
    for (int i = start; i < text.length(); i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') {
        return null;
      }
    }
    return Integer.parseInt(text);
  }

  private static boolean hasReadableFields(JsonObject params) {
    for (Map.Entry<String, JsonElement> field : params.entrySet()) {
      Kind kind = PARAMS.get(field.getKey());
      if (kind != null && !isKind(field.getValue(), kind)) {
        return false;
      }
    }
    if (!isClientInfo(objectOrNull(params.get("clientInfo")))) {
      return false;
    }
    JsonObject caps = objectOrNull(params.get("capabilities"));
    if (caps == null) {
      return true;
    }
    JsonElement general = caps.get("general");
    JsonElement textDocument = caps.get("textDocument");
    if (!isObjectOrNull(general) || !isObjectOrNull(textDocument)) {
      return false;
    }
    JsonObject g = objectOrNull(general);
    JsonObject t = objectOrNull(textDocument);
    return (g == null || isStringsOrNull(g.get("positionEncodings")))
        && (t == null || isObjectOrNull(t.get("inlineCompletion")));
  }

  private static boolean isKind(JsonElement value, Kind kind) {
    if (value.isJsonNull()) {
      return kind != Kind.NON_NULL_OBJECT;
    }
    return switch (kind) {
      case ANY -> true;
      case NON_NULL_OBJECT -> value.isJsonObject();
      case OBJECT -> value.isJsonObject();
      case STRING -> isString(value, false);
      case INT ->
          value instanceof JsonPrimitive p && p.isNumber() && intOf(p.getAsString()) != null;
      case STRING_OR_INT -> isString(value, false) || isKind(value, Kind.INT);
      case FOLDERS -> isFolders(value);
    };
  }

  private static boolean isFolders(JsonElement value) {
    if (!(value instanceof JsonArray folders)) {
      return false;
    }
    for (JsonElement folder : folders) {
      if (!(folder instanceof JsonObject f)
          || !isString(f.get("uri"), true)
          || !isString(f.get("name"), true)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isClientInfo(JsonObject info) {
    return info == null
        || (isString(info.get("name"), true) && isString(info.get("version"), true));
  }

  private static boolean isStringsOrNull(JsonElement value) {
    if (value == null || value.isJsonNull()) {
      return true;
    }
    if (!(value instanceof JsonArray array)) {
      return false;
    }
    for (JsonElement e : array) {
      if (!isString(e, false)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isString(JsonElement value, boolean orAbsent) {
    if (value == null || value.isJsonNull()) {
      return orAbsent;
    }
    return value instanceof JsonPrimitive p && p.isString();
  }

  private static boolean isObjectOrNull(JsonElement value) {
    return value == null || value.isJsonNull() || value.isJsonObject();
  }

  private static JsonObject objectOrNull(JsonElement value) {
    return value instanceof JsonObject o ? o : null;
  }
}
