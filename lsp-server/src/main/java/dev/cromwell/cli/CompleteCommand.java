package dev.cromwell.cli;

import com.google.gson.JsonObject;
import dev.cromwell.context.Language;
import dev.cromwell.engine.generate.Cancellation;
import dev.cromwell.engine.model.Model;
import dev.cromwell.lsp.CompletionService;
import dev.cromwell.lsp.DocumentStore;
import dev.cromwell.lsp.ModelCompleter;
import dev.cromwell.lsp.ModelRuntime;
import dev.cromwell.lsp.OpenDocument;
import dev.cromwell.lsp.ServerConfig;
import dev.cromwell.lsp.Suggestion;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "complete",
    mixinStandardHelpOptions = true,
    description = {
      "Print an inline suggestion at a cursor.",
      "The language server's path for this file alone: the document, the model's FIM format, stop",
      "rules and post-processing, without the editor's time limit or other files' snippets.",
      "LINE and COLUMN count from 1; without them the cursor is at the end."
    })
final class CompleteCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin ModelOptions model;

  @Parameters(paramLabel = "FILE[:LINE:COLUMN]", description = "the file and the cursor in it")
  String target;

  @Override
  public Integer call() throws Exception {
    String[] parts = target.split(":");
    boolean cursorGiven = parts.length >= 3;
    Path file =
        Path.of(
            cursorGiven
                ? String.join(":", java.util.Arrays.copyOf(parts, parts.length - 2))
                : target);
    String text = Files.readString(file, StandardCharsets.UTF_8);
    int offset = text.length();
    if (cursorGiven) {
      int line = Integer.parseInt(parts[parts.length - 2]) - 1;
      int column = Integer.parseInt(parts[parts.length - 1]) - 1;
      offset = offsetOf(text, line, column, file);
    }
    String language =
        Language.detect(file.getFileName().toString(), text.lines().findFirst().orElse(""))
            .name()
            .toLowerCase(Locale.ROOT);
    JsonObject settings = new JsonObject();
    settings.addProperty("threads", model.threads());
    settings.addProperty("debounceMs", 0);
    settings.addProperty("timeLimitMs", 30_000);
    ServerConfig config = ServerConfig.defaults().apply(settings).config();
    PrintWriter out = spec.commandLine().getOut();
    try (Model m = Model.load(model.path(), model.options(0, Model.DEFAULT_PREFILL_CHUNK));
        ModelRuntime runtime =
            ModelRuntime.serving(config, new ModelCompleter(m, config.memoryBudgetBytes()));
        CompletionService completions = new CompletionService(runtime)) {
      OpenDocument doc = new DocumentStore().open(file.toUri().toString(), language, 1, text);
      Optional<Suggestion> s =
          completions.complete(doc, offset, new Cancellation()).get(120, TimeUnit.SECONDS);
      out.println(s.map(Suggestion::text).orElse(""));
    }
    out.flush();
    return 0;
  }

  private static int offsetOf(String text, int line, int column, Path file) {
    int offset = 0;
    for (int l = 0; l < line; l++) {
      int nl = text.indexOf('\n', offset);
      if (nl < 0) {
        throw new IllegalArgumentException(file + " has no line " + (line + 1));
      }
      offset = nl + 1;
    }
    int end = text.indexOf('\n', offset);
    int lineLength = (end < 0 ? text.length() : end) - offset;
    if (column < 0 || column > lineLength) {
      throw new IllegalArgumentException(
          file
              + ":"
              + (line + 1)
              + " has "
              + lineLength
              + " characters; column "
              + (column + 1)
              + " is outside it");
    }
    return offset + column;
  }
}
