package dev.cromwell.lsp;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.List;
import org.eclipse.lsp4j.Range;

/**
 * The arguments of {@code cromwell.edit}: one object {@code {uri, range, instruction}} (the shape
 * every client should send, and what Cromwell's own code actions carry). The older positional shape
 * {@code [uri, range]} or {@code [uri, range, instruction]} is still accepted.
 *
 * @param version the document version the edit is computed for, or null for the current one
 */
record EditCommandArgs(String uri, Range range, String instruction, Integer version) {
  static final String SHAPE = "cromwell.edit takes one argument {uri, range, instruction}";

  /** Reads the arguments; a {@link Refusal.BadArguments} names the expected shape. */
  static EditCommandArgs parse(List<Object> arguments) {
    if (arguments == null || arguments.isEmpty()) {
      throw new Refusal.BadArguments(SHAPE + ", got nothing", null);
    }
    Gson gson = new Gson();
    try {
      JsonElement first = json(gson, arguments.get(0));
      if (first.isJsonObject()) {
        JsonObject o = first.getAsJsonObject();
        return new EditCommandArgs(
            o.get("uri").getAsString(),
            range(gson, o.get("range")),
            text(o.get("instruction")),
            o.has("version") && !o.get("version").isJsonNull()
                ? o.get("version").getAsInt()
                : null);
      }
      // Positional: uri, range[, instruction].
      return new EditCommandArgs(
          first.getAsString(),
          range(gson, json(gson, arguments.get(1))),
          arguments.size() > 2 ? text(json(gson, arguments.get(2))) : "",
          null);
    } catch (RuntimeException e) {
      throw new Refusal.BadArguments(SHAPE + ", got " + arguments, e);
    }
  }

  /**
   * The document version to edit (the one given, else the open document's), after checking that the
   * document is open and the instruction is not empty.
   */
  int checkedVersion(DocumentStore documents) {
    OpenDocument doc = documents.get(uri).orElseThrow(() -> Refusal.Failed.notOpen(uri));
    if (instruction.isBlank()) {
      throw new Refusal.Failed(
          "the instruction is empty (editor plugins ask for one: :CromwellEdit,"
              + " M-x cromwell-edit-region, \"Cromwell: Edit Selection…\")");
    }
    return version == null ? doc.version() : version;
  }

  /** The 0-based last line the edit covers. */
  int lastLine() {
    return lastLine(
        range.getStart().getLine(), range.getEnd().getLine(), range.getEnd().getCharacter());
  }

  /**
   * The last line a selection from {@code startLine} to {@code endLine}:{@code endCharacter}
   * covers: one ending at column 0 does not include that line.
   */
  static int lastLine(int startLine, int endLine, int endCharacter) {
    return endCharacter == 0 && endLine > startLine ? endLine - 1 : endLine;
  }

  /** The object form, for code actions that carry the command. */
  static JsonObject toJson(String uri, Range range, String instruction, Integer version) {
    JsonObject o =
        new Gson()
            .toJsonTree(new EditCommandArgs(uri, range, instruction, version))
            .getAsJsonObject();
    if (instruction == null || instruction.isEmpty()) {
      o.remove("instruction"); // the editor plugin asks the user for one
    }
    return o;
  }

  private static JsonElement json(Gson gson, Object o) {
    return o instanceof JsonElement e ? e : gson.toJsonTree(o);
  }

  private static Range range(Gson gson, JsonElement e) {
    Range r = gson.fromJson(e, Range.class);
    if (r == null || r.getStart() == null || r.getEnd() == null) {
      throw new IllegalArgumentException("no range");
    }
    return r;
  }

  private static String text(JsonElement e) {
    return e == null || e.isJsonNull() ? "" : e.getAsString();
  }
}
