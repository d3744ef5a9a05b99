package dev.cromwell.lsp;

import java.util.function.BiConsumer;
import java.util.function.Function;
import org.eclipse.lsp4j.MessageType;

/**
 * Loads the configured model in the background with progress, and swaps it into the completion
 * service on the model thread (never under a running generation).
 */
final class ModelLoader implements AutoCloseable {
  private final CompletionService completions;
  private final Function<ServerConfig, Completer> factory;
  private final Function<String, Progress> progress;
  private final BiConsumer<MessageType, String> messages;
  private volatile String state = "none";
  private volatile Completer current;

  ModelLoader(
      CompletionService completions,
      Function<ServerConfig, Completer> factory,
      Function<String, Progress> progress,
      BiConsumer<MessageType, String> messages) {
    this.completions = completions;
    this.factory = factory;
    this.progress = progress;
    this.messages = messages;
  }

  String state() {
    return state;
  }

  void load(ServerConfig config) {
    if (config.model() == null) {
      state = "none: set \"model\" in the Cromwell settings to a GGUF file";
      messages.accept(
          MessageType.Warning,
          "Cromwell has no model, so it suggests nothing: set \"model\" in the Cromwell settings"
              + " to a GGUF file or a model name (get one with `cromwell pull NAME`).");
      return;
    }
    state = "loading";
    Progress p = progress.apply("Cromwell: loading " + config.model().getFileName());
    Thread t =
        new Thread(
            () -> {
              try {
                Completer loaded = factory.apply(config);
                completions
                    .onModelThread(
                        () -> {
                          Completer old = current;
                          current = loaded;
                          completions.setCompleter(loaded);
                          closeQuietly(old);
                        })
                    .join();
                state = "ready";
                p.end("model ready");
              } catch (RuntimeException e) {
                state = "failed: " + e.getMessage();
                p.end("model failed to load");
                messages.accept(
                    MessageType.Error, "Cromwell could not load the model: " + e.getMessage());
              }
            },
            "cromwell-model-loader");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Completer c) {
    if (c instanceof ModelCompleter m) {
      m.model().close();
    }
  }

  @Override
  public void close() {
    closeQuietly(current);
    current = null;
  }
}
