package dev.cromwell.lsp.rpc;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.Map;

/**
 * Compact JSON text of a Gson tree, for the early answer to {@code initialize}. Gson's own writer
 * ({@code JsonElement.toString()}) is not used there: its first use runs {@code JsonWriter}'s and
 * {@code FormattingStyle}'s static set-up ({@code String.format} and regular expressions, which
 * spin lambda classes), some 20-30 ms of a cold start that the editor would wait for.
 */
final class JsonText {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private JsonText() {}

  static String of(JsonElement json) {
    StringBuilder out = new StringBuilder();
    write(json, out);
    return out.toString();
  }

  private static void write(JsonElement json, StringBuilder out) {
    if (json == null || json.isJsonNull()) {
      out.append("null");
    } else if (json instanceof JsonObject object) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<String, JsonElement> member : object.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        string(member.getKey(), out);
        out.append(':');
        write(member.getValue(), out);
      }
      out.append('}');
    } else if (json instanceof JsonArray array) {
      out.append('[');
      for (int i = 0; i < array.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        write(array.get(i), out);
      }
      out.append(']');
    } else {
      JsonPrimitive p = json.getAsJsonPrimitive();
      if (p.isString()) {
        string(p.getAsString(), out);
      } else {
        out.append(p.getAsString()); // a number or a boolean, as Gson writes it
      }
    }
  }

  private static void string(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
      } else {
        out.append(c);
      }
    }
    out.append('"');
  }
}
