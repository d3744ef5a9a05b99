package dev.cromwell.lsp.rpc;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.lsp4j.jsonrpc.messages.Either;

/**
 * Recovers the id of a request that could not be parsed, so that its sender gets an error instead
 * of waiting forever: the top-level {@code id} of a JSON object, or failing that (truncated or
 * broken JSON) the first {@code "id": value} in the text.
 */
final class RequestId {
  private static final Pattern ID =
      Pattern.compile(
          "\"id\"\\s*:\\s*(?:(-?\\d{1,10})(?![\\d.eE])|\"((?:[^\"\\\\]|\\\\.){0,256})\")");

  private RequestId() {}

  static Optional<Either<String, Number>> find(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    try {
      JsonElement json = JsonParser.parseString(text);
      if (json.isJsonObject()) {
        JsonElement id = json.getAsJsonObject().get("id");
        return id != null && id.isJsonPrimitive() ? of(id.getAsJsonPrimitive()) : Optional.empty();
      }
    } catch (RuntimeException notJson) {
      // fall through to the pattern
    }
    Matcher m = ID.matcher(text);
    if (!m.find()) {
      return Optional.empty();
    }
    if (m.group(1) != null) {
      try {
        return Optional.of(Either.forRight(Integer.parseInt(m.group(1))));
      } catch (NumberFormatException tooBig) {
        return Optional.empty();
      }
    }
    return Optional.of(Either.forLeft(m.group(2)));
  }

  private static Optional<Either<String, Number>> of(JsonPrimitive id) {
    if (id.isString()) {
      return Optional.of(Either.forLeft(id.getAsString()));
    }
    if (id.isNumber()) {
      try {
        return Optional.of(Either.forRight(Integer.parseInt(id.getAsString())));
      } catch (NumberFormatException notAnInt) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }
}
