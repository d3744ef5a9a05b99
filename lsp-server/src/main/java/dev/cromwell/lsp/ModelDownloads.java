package dev.cromwell.lsp;

import dev.cromwell.engine.store.CatalogEntry;
import dev.cromwell.engine.store.ModelNotInstalledException;
import dev.cromwell.engine.store.ModelPuller;
import dev.cromwell.engine.store.ModelStore;
import dev.cromwell.engine.store.PullException;
import dev.cromwell.engine.store.PullListener;
import dev.cromwell.engine.store.PullSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.lsp4j.MessageActionItem;
import org.eclipse.lsp4j.MessageType;
import org.eclipse.lsp4j.ShowMessageRequestParams;
import org.eclipse.lsp4j.services.LanguageClient;

/**
 * The server's side of the model store: which file a {@code model} setting means (a path, a
 * catalogue name, or nothing for the default), and, when that is a catalogue model not yet
 * installed, offering to download it ({@code window/showMessageRequest} with a "Download" action)
 * and pulling it with {@code $/progress}.
 */
final class ModelDownloads {
  static final String DOWNLOAD = "Download";
  static final String NOT_NOW = "Not now";

  private final ModelStore store;
  private final ModelPuller puller;
  private final Set<String> offered = ConcurrentHashMap.newKeySet();
  private volatile Supplier<LanguageClient> client = () -> null;
  private volatile Function<String, Progress> progress;
  private volatile BiConsumer<MessageType, String> messages = (t, m) -> {};

  ModelDownloads(ModelStore store, ModelPuller puller) {
    this.store = store;
    this.puller = puller;
  }

  /** The user's store and catalogue, pulling from the index their environment names. */
  static ModelDownloads fromEnvironment() {
    ModelStore store = ModelStore.fromEnvironment();
    return new ModelDownloads(store, new ModelPuller(store, PullSettings.fromEnvironment()));
  }

  /** Where the server asks, reports progress and shows errors. */
  void connect(
      Supplier<LanguageClient> client,
      Function<String, Progress> progress,
      BiConsumer<MessageType, String> messages) {
    this.client = client;
    this.progress = progress;
    this.messages = messages;
  }

  /** The model file {@code config} means; throws with one line if there is none. */
  Path resolve(ServerConfig config) {
    return store.resolveOrDefault(spec(config));
  }

  /** What to call the configured model in progress titles. */
  String label(ServerConfig config) {
    return config.model() == null
        ? store.catalog().defaultEntry().name()
        : String.valueOf(config.model().getFileName());
  }

  /** The catalogue model {@code config} asks for (by name, or as the default) if not installed. */
  Optional<CatalogEntry> missing(ServerConfig config) {
    try {
      store.resolveOrDefault(spec(config));
      return Optional.empty();
    } catch (ModelNotInstalledException e) {
      return Optional.of(e.entry());
    } catch (RuntimeException e) {
      return Optional.empty(); // not a catalogue model: loading it reports the problem
    }
  }

  private static String spec(ServerConfig config) {
    return config.model() == null ? null : config.model().toString();
  }

  /**
   * Asks once per model whether to download {@code entry}; completes with true once it is
   * installed, false if the user declined or the pull failed (the user was told why).
   */
  CompletableFuture<Boolean> offer(CatalogEntry entry) {
    LanguageClient c = client.get();
    if (c == null || !offered.add(entry.name())) {
      return CompletableFuture.completedFuture(false);
    }
    ShowMessageRequestParams ask = new ShowMessageRequestParams();
    ask.setType(MessageType.Info);
    ask.setMessage(
        "Cromwell: the model "
            + entry.name()
            + " ("
            + entry.parameters()
            + ", "
            + (entry.bytes() >> 20)
            + " MiB, "
            + entry.licence()
            + ") is not installed. Download it now? (or run: cromwell pull "
            + entry.name()
            + ")");
    ask.setActions(List.of(new MessageActionItem(DOWNLOAD), new MessageActionItem(NOT_NOW)));
    return c.showMessageRequest(ask)
        .thenCompose(
            choice ->
                choice != null && DOWNLOAD.equals(choice.getTitle())
                    ? pull(entry)
                    : CompletableFuture.completedFuture(false));
  }

  private CompletableFuture<Boolean> pull(CatalogEntry entry) {
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    Progress p = progress.apply("Cromwell: downloading " + entry.name());
    Thread t =
        new Thread(
            () -> {
              try {
                puller.pull(entry, null, reporter(p));
                p.end(entry.name() + " installed");
                done.complete(true);
              } catch (PullException | RuntimeException e) {
                p.end("download failed");
                messages.accept(MessageType.Error, "Cromwell: " + e.getMessage());
                offered.remove(entry.name()); // a later configuration change may ask again
                done.complete(false);
              }
            },
            "cromwell-model-download");
    t.setDaemon(true);
    t.start();
    return done;
  }

  /** Pull progress as $/progress reports, one per whole percent. */
  private static PullListener reporter(Progress p) {
    return new PullListener() {
      private int percent = -1;

      @Override
      public void line(String message) {
        p.report(message, percent < 0 ? null : percent);
      }

      @Override
      public synchronized void bytes(long done, long total) {
        int now = total > 0 ? (int) Math.min(100, done * 100 / total) : 0;
        if (now != percent) {
          percent = now;
          p.report((done >> 20) + " / " + (total >> 20) + " MiB", now);
        }
      }
    };
  }
}
