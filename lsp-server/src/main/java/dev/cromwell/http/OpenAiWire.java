package dev.cromwell.http;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.cromwell.chat.ChatMessage;
import dev.cromwell.engine.generate.GenerationStats;
import dev.cromwell.engine.generate.StopReason;
import dev.cromwell.service.GenerationService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** OpenAI's request fields to service values, and results to OpenAI's response shapes. */
final class OpenAiWire {
  private OpenAiWire() {}

  static String string(JsonObject body, String name, boolean required) {
    JsonElement e = body.get(name);
    if (e == null || e.isJsonNull()) {
      if (required) {
        throw ApiError.invalid(name, "'" + name + "' is required");
      }
      return null;
    }
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw ApiError.invalid(name, "'" + name + "' must be a string");
    }
    return e.getAsString();
  }

  static Double number(JsonObject body, String name) {
    JsonElement e = body.get(name);
    if (e == null || e.isJsonNull()) {
      return null;
    }
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
      throw ApiError.invalid(name, "'" + name + "' must be a number");
    }
    return e.getAsDouble();
  }

  static Long integer(JsonObject body, String name) {
    Double d = number(body, name);
    if (d == null) {
      return null;
    }
    if (d != Math.rint(d)) {
      throw ApiError.invalid(name, "'" + name + "' must be an integer");
    }
    return d.longValue();
  }

  static boolean bool(JsonObject body, String name) {
    JsonElement e = body.get(name);
    if (e == null || e.isJsonNull()) {
      return false;
    }
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
      throw ApiError.invalid(name, "'" + name + "' must be true or false");
    }
    return e.getAsBoolean();
  }

  /** {@code prompt}: a string, or an array holding one string. */
  static String prompt(JsonObject body) {
    JsonElement e = body.get("prompt");
    if (e != null && e.isJsonArray()) {
      JsonArray a = e.getAsJsonArray();
      if (a.size() != 1
          || !a.get(0).isJsonPrimitive()
          || !a.get(0).getAsJsonPrimitive().isString()) {
        throw ApiError.invalid("prompt", "'prompt' must be one string (one prompt per request)");
      }
      return a.get(0).getAsString();
    }
    return string(body, "prompt", true);
  }

  /** {@code messages}: roles and contents (a string, or text parts). */
  static List<ChatMessage> messages(JsonObject body) {
    JsonElement e = body.get("messages");
    if (e == null || !e.isJsonArray() || e.getAsJsonArray().isEmpty()) {
      throw ApiError.invalid("messages", "'messages' must be a non-empty array");
    }
    List<ChatMessage> out = new ArrayList<>();
    for (JsonElement m : e.getAsJsonArray()) {
      if (!m.isJsonObject()) {
        throw ApiError.invalid("messages", "each message must be an object");
      }
      JsonObject o = m.getAsJsonObject();
      String role = string(o, "role", true);
      if (!List.of("system", "user", "assistant", "developer").contains(role)) {
        throw ApiError.invalid(
            "messages", "role must be system, developer, user or assistant, not '" + role + "'");
      }
      out.add(new ChatMessage(role.equals("developer") ? "system" : role, content(o)));
    }
    return out;
  }

  private static String content(JsonObject message) {
    JsonElement c = message.get("content");
    if (c == null || c.isJsonNull()) {
      return "";
    }
    if (c.isJsonPrimitive() && c.getAsJsonPrimitive().isString()) {
      return c.getAsString();
    }
    if (c.isJsonArray()) {
      StringBuilder text = new StringBuilder();
      for (JsonElement part : c.getAsJsonArray()) {
        if (!part.isJsonObject() || !"text".equals(string(part.getAsJsonObject(), "type", true))) {
          throw ApiError.invalid("messages", "only text content parts are supported");
        }
        text.append(string(part.getAsJsonObject(), "text", true));
      }
      return text.toString();
    }
    throw ApiError.invalid("messages", "a message's content must be a string or text parts");
  }

  /** Sampling options; {@code defaultMax} when max_tokens is absent. */
  static GenerationService.Options options(
      JsonObject body, int defaultMax, boolean chat, Duration timeout) {
    Long n = integer(body, "n");
    if (n != null && n != 1) {
      throw ApiError.invalid("n", "'n' must be 1: one choice per request");
    }
    refuseUnsupported(body);
    String maxName = "max_tokens";
    Long max = integer(body, maxName);
    if (max == null && chat) {
      maxName = "max_completion_tokens";
      max = integer(body, maxName);
    }
    if (max != null && max < 1) {
      throw ApiError.invalid(maxName, "'" + maxName + "' must be at least 1, got " + max);
    }
    if (max != null && max > Integer.MAX_VALUE) {
      throw ApiError.invalid(
          maxName,
          "'"
              + maxName
              + "' is "
              + max
              + ", more than any context holds: ask for at most the server's context (cromwell"
              + " serve -c) less the prompt");
    }
    Double temperature = number(body, "temperature");
    Double topP = number(body, "top_p");
    List<String> stop = new ArrayList<>();
    JsonElement s = body.get("stop");
    if (s != null && !s.isJsonNull()) {
      if (s.isJsonPrimitive() && s.getAsJsonPrimitive().isString()) {
        stop.add(s.getAsString());
      } else if (s.isJsonArray() && s.getAsJsonArray().size() <= 4) {
        for (JsonElement x : s.getAsJsonArray()) {
          if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isString()) {
            throw ApiError.invalid("stop", "'stop' must be a string or up to 4 strings");
          }
          stop.add(x.getAsString());
        }
      } else {
        throw ApiError.invalid("stop", "'stop' must be a string or up to 4 strings");
      }
    }
    try {
      return new GenerationService.Options(
          max == null ? defaultMax : max.intValue(),
          temperature == null ? 1f : temperature.floatValue(),
          topP == null ? 1f : topP.floatValue(),
          stop,
          integer(body, "seed"),
          timeout);
    } catch (IllegalArgumentException e) {
      String message = e.getMessage();
      String param = message.substring(0, Math.max(0, message.indexOf(' ')));
      throw ApiError.invalid(param, message);
    }
  }

  /**
   * Refuses OpenAI's request fields that would change what the answer holds or means but that this
   * server does not implement, so that a client never takes their silent absence for their effect.
   * Each is accepted at its neutral value (false, null, 1, empty, "text").
   */
  static void refuseUnsupported(JsonObject body) {
    // Neutral only as false or null: logprobs 0 on completions still asks for the chosen tokens'.
    for (String name : List.of("logprobs", "echo")) {
      JsonElement e = body.get(name);
      if (e != null
          && !e.isJsonNull()
          && !(e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean() && !e.getAsBoolean())) {
        throw unsupported(name);
      }
    }
    Long bestOf = integer(body, "best_of");
    if (bestOf != null && bestOf != 1) {
      throw unsupported("best_of");
    }
    for (String name : List.of("top_logprobs", "logit_bias", "tools", "functions")) {
      JsonElement e = body.get(name);
      boolean neutral =
          e == null
              || e.isJsonNull()
              || (e.isJsonObject() && e.getAsJsonObject().isEmpty())
              || (e.isJsonArray() && e.getAsJsonArray().isEmpty())
              || (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber() && e.getAsDouble() == 0);
      if (!neutral) {
        throw unsupported(name);
      }
    }
    JsonElement format = body.get("response_format");
    if (format != null
        && !format.isJsonNull()
        && !(format.isJsonObject()
            && "text".equals(string(format.getAsJsonObject(), "type", false)))) {
      throw unsupported("response_format");
    }
  }

  private static ApiError unsupported(String name) {
    return ApiError.invalid(
        name, "'" + name + "' is not supported by this server: leave it out of the request");
  }

  static String finishReason(StopReason reason) {
    return switch (reason) {
      case END_OF_TEXT, STOP_SEQUENCE -> "stop";
      default -> "length";
    };
  }

  static JsonObject usage(GenerationStats stats) {
    JsonObject u = new JsonObject();
    u.addProperty("prompt_tokens", stats.promptTokens());
    u.addProperty("completion_tokens", stats.generatedTokens());
    u.addProperty("total_tokens", stats.promptTokens() + stats.generatedTokens());
    return u;
  }

  /** The envelope of a response or a stream chunk. */
  static JsonObject envelope(String id, String object, long created, String model) {
    JsonObject o = new JsonObject();
    o.addProperty("id", id);
    o.addProperty("object", object);
    o.addProperty("created", created);
    o.addProperty("model", model);
    return o;
  }

  /** A choice of /v1/completions. */
  static JsonObject textChoice(String text, String finishReason) {
    JsonObject c = new JsonObject();
    c.addProperty("text", text);
    c.addProperty("index", 0);
    c.add("logprobs", JsonNull.INSTANCE);
    c.addProperty("finish_reason", finishReason);
    return c;
  }

  /** A choice of /v1/chat/completions: {@code message} whole, or a stream's {@code delta}. */
  static JsonObject chatChoice(String key, String role, String content, String finishReason) {
    JsonObject m = new JsonObject();
    if (role != null) {
      m.addProperty("role", role);
    }
    if (content != null) {
      m.addProperty("content", content);
    }
    JsonObject c = new JsonObject();
    c.addProperty("index", 0);
    c.add(key, m);
    c.add("logprobs", JsonNull.INSTANCE);
    c.addProperty("finish_reason", finishReason);
    return c;
  }

  static JsonArray array(JsonElement... elements) {
    JsonArray a = new JsonArray();
    for (JsonElement e : elements) {
      a.add(e);
    }
    return a;
  }
}
