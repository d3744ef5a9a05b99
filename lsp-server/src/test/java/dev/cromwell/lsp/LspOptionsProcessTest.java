package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.cromwell.engine.RealModels;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cromwell lsp -m FILE -t N} as an editor starts it (its own process, real pipes): the
 * command line's options are the server's defaults when the editor sends none. Since issue 23 the
 * {@code lsp} arguments skip the rest of the command line (LspFastPath); this holds that they still
 * reach the server.
 */
@Timeout(120)
class LspOptionsProcessTest {
  @TempDir Path project;

  /** Initializes without settings (the command line's are the defaults); returns the status. */
  private JsonObject statusAfterInitialize(String... args) throws Exception {
    try (LspProcess lsp = new LspProcess(project, project.resolve("stderr.txt"), args)) {
      JsonObject init =
          JsonParser.parseString("{\"processId\":null,\"capabilities\":{},\"rootUri\":null}")
              .getAsJsonObject();
      JsonObject answer = lsp.answer(lsp.request("initialize", init), 60);
      assertEquals(
          "cromwell",
          answer.getAsJsonObject("result").getAsJsonObject("serverInfo").get("name").getAsString());
      lsp.notify("initialized", new JsonObject());
      return lsp.answer(lsp.request("cromwell/status", new JsonArray()), 60)
          .getAsJsonObject("result");
    }
  }

  @Test
  void plainLspAnswersInitializeWithTheBuiltInDefaults() throws Exception {
    JsonObject status = statusAfterInitialize();
    assertEquals(ServerConfig.defaults().threads(), status.get("threads").getAsInt());
  }

  @Test
  void commandLineOptionsAreTheServersDefaults() throws Exception {
    Path model = RealModels.smollm2();
    JsonObject status = statusAfterInitialize("-m", model.toString(), "-t", "3");
    assertEquals(3, status.get("threads").getAsInt(), status.toString());
    assertEquals(model.toAbsolutePath().toString(), status.get("model").getAsString());
  }
}
