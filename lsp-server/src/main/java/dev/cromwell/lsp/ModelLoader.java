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
  private final ModelDownloads downloads;
  private volatile String state = "none";
  private volatile Completer current;
  private volatile ServerConfig wanted;

  ModelLoader(
      CompletionService completions,
      Function<ServerConfig, Completer> factory,
      Function<String, Progress> progress,
      BiConsumer<MessageType, String> messages,
      ModelDownloads downloads) {
    this.completions = completions;
    this.factory = factory;
    this.progress = progress;
    this.messages = messages;
    this.downloads = downloads;
  }

  String state() {
    return state;
  }

  void load(ServerConfig config) {
    wanted = config;
    var missing = downloads.missing(config);
    if (missing.isPresent()) {
      // A catalogue model (the default when none is set) that is not pulled yet: offer it, and
      // load it once it is there, unless the settings moved on meanwhile.
      String name = missing.get().name();
      state = "none: " + name + " is not installed (cromwell pull " + name + ")";
      downloads
          .offer(missing.get())
          .thenAccept(
              installed -> {
                if (installed && wanted == config) {
                  load(config);
                }
              });
      return;
    }
    state = "loading";
    Progress p = progress.apply("Cromwell: loading " + downloads.label(config));
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
