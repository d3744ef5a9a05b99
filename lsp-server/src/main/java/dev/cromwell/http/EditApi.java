package dev.cromwell.http;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.cromwell.edit.EditService;
import dev.cromwell.edit.TextEdits;
import dev.cromwell.edit.UnifiedDiff;
import dev.cromwell.protocol.PositionEncoding;
import dev.cromwell.protocol.TextDocument;
import dev.cromwell.protocol.edit.EditException;
import dev.cromwell.service.GenerationService;
import java.io.IOException;
import java.time.Duration;

/**
 * {@code POST /v1/cromwell/edit}: a file's text, its path, a line range and an instruction in; the
 * new text, a unified diff, the minimal TextEdits (LSP positions, UTF-16), any refusal, and notes
 * on what a fix did beyond its first answer ({@link dev.cromwell.edit.FixStep}, as {@code cromwell
 * edit} prints them) out. The work is {@link EditService}'s, as for the CLI and the LSP server.
 */
final class EditApi {
  private final GenerationService service;
  private final OpenAiApi api;
  private final Duration timeout;

  EditApi(GenerationService service, OpenAiApi api, Duration timeout) {
    this.service = service;
    this.api = api;
    this.timeout = timeout;
  }

  void edit(ApiExchange x) throws IOException {
    JsonObject body = x.jsonBody();
    api.checkModel(body);
    String path = OpenAiWire.string(body, "path", true);
    String text = OpenAiWire.string(body, "text", true);
    String instruction = OpenAiWire.string(body, "instruction", true);
    int lines = text.isEmpty() ? 1 : (int) text.lines().count();
    int first = 1;
    int last = lines;
    JsonElement range = body.get("range");
    if (range != null && !range.isJsonNull()) {
      if (!range.isJsonObject()) {
        throw ApiError.invalid("range", "'range' must be {\"start_line\": L1, \"end_line\": L2}");
      }
      Long a = OpenAiWire.integer(range.getAsJsonObject(), "start_line");
      Long b = OpenAiWire.integer(range.getAsJsonObject(), "end_line");
      first = a == null ? 1 : (int) Math.max(0, Math.min(Integer.MAX_VALUE, a));
      last = b == null ? first : (int) Math.max(0, Math.min(Integer.MAX_VALUE, b));
    }
    if (first < 1 || last < first || last > lines) {
      throw ApiError.invalid(
          "range",
          "lines " + first + "-" + last + " are outside " + path + " (" + lines + " lines)");
    }
    EditService.Request request;
    try {
      request = new EditService.Request(path, text, first, last, instruction);
    } catch (IllegalArgumentException e) {
      throw ApiError.invalid("instruction", e.getMessage());
    }
    JsonObject out = new JsonObject();
    out.addProperty("object", "cromwell.edit");
    out.addProperty("model", service.modelId());
    out.addProperty("path", path);
    JsonArray notes = new JsonArray();
    out.add("notes", notes);
    try {
      String updated =
          new EditService(service.editModel(timeout))
              .edit(
                  request,
                  () -> false,
                  step -> {
                    if (step.toldToUsers()) {
                      notes.add(step.describe());
                    }
                  });
      out.addProperty("text", updated);
      out.addProperty(
          "diff",
          updated.equals(text)
              ? ""
              : String.join("\n", UnifiedDiff.lines(path, text, updated, 3)) + "\n");
      out.add("edits", edits(text, updated));
      out.add("refusal", JsonNull.INSTANCE);
    } catch (EditException e) {
      out.addProperty("text", text);
      out.addProperty("diff", "");
      out.add("edits", new JsonArray());
      out.addProperty("refusal", e.getMessage());
    } catch (GenerationService.QueueFull e) {
      throw OpenAiApi.busy(e.queueFull());
    } catch (dev.cromwell.edit.EditModel.OutOfTime e) {
      throw ApiError.timeout(e.getMessage());
    }
    x.sendJson(200, out);
  }

  private static JsonArray edits(String before, String after) {
    TextDocument doc = new TextDocument(before);
    JsonArray edits = new JsonArray();
    for (TextEdits.Edit e : TextEdits.compute(before, after)) {
      JsonObject range = new JsonObject();
      range.add("start", position(doc, e.start()));
      range.add("end", position(doc, e.end()));
      JsonObject edit = new JsonObject();
      edit.add("range", range);
      edit.addProperty("new_text", e.text());
      edits.add(edit);
    }
    return edits;
  }

  private static JsonObject position(TextDocument doc, int offset) {
    JsonObject p = new JsonObject();
    p.addProperty("line", doc.lineOf(offset));
    p.addProperty("character", doc.columnOf(offset, PositionEncoding.UTF16));
    return p;
  }
}
