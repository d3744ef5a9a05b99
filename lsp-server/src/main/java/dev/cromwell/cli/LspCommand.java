package dev.cromwell.cli;

import com.google.gson.JsonObject;
import dev.cromwell.daemon.DaemonPaths;
import dev.cromwell.daemon.DaemonProxy;
import dev.cromwell.daemon.LspDaemon;
import dev.cromwell.engine.store.ModelStore;
import dev.cromwell.lsp.CromwellLanguageServer;
import dev.cromwell.lsp.LspLauncher;
import dev.cromwell.lsp.ServerConfig;
import dev.cromwell.lsp.TcpServer;
import dev.cromwell.lsp.rpc.EarlyInitialize;
import dev.cromwell.lsp.rpc.FrameLimits;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "lsp",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class, // picocli does not inherit it: -V printed nothing
    description = {
      "Run the language server (inline completions) over stdio or TCP.",
      "Editors start it as \"cromwell lsp\"; settings come from the editor's initializationOptions",
      "(model, threads, maxTokens, debounceMs, contextBudget, timeLimitMs, disabledLanguages,",
      "memoryBudgetMb, loadMode, kvCache); options given here are the defaults under them."
    })
final class LspCommand implements Callable<Integer> {
  @Option(
      names = {"-m", "--model"},
      paramLabel = "MODEL",
      description = "model to load: a GGUF file or a catalogue name (default: the default model)")
  String model;

  @Option(
      names = {"-t", "--threads"},
      description = "worker threads (default: one per logical CPU)")
  Integer threads;

  @Option(
      names = "--port",
      description =
          "listen on this TCP port on 127.0.0.1 instead of stdio (0 picks one); clients must send"
              + " the token of --token-file as initializationOptions.token")
  Integer port;

  @Option(
      names = "--max-message-mb",
      paramLabel = "MB",
      description =
          "largest JSON-RPC message accepted (default: "
              + FrameLimits.DEFAULT_MESSAGE_MB
              + "); larger ones are refused with an error without being read into memory")
  int maxMessageMb = FrameLimits.DEFAULT_MESSAGE_MB;

  @Option(
      names = "--initialize-timeout-s",
      paramLabel = "SECONDS",
      description =
          "with --port: a client that has not sent initialize with the token within this many"
              + " seconds is disconnected (default: 10)")
  int initializeTimeoutSeconds = (int) TcpServer.DEFAULT_INITIALIZE_TIMEOUT.toSeconds();

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description =
          "with --port: where the client token is written, mode 0600 (default:"
              + " $XDG_RUNTIME_DIR/cromwell/lsp-PORT.token, else $CROMWELL_HOME)")
  Path tokenFile;

  @Option(
      names = "--no-daemon",
      description =
          "serve in this process instead of through the shared warm daemon (as does"
              + " CROMWELL_DAEMON=off; CROMWELL_DAEMON=connect uses a running daemon but starts"
              + " none)")
  boolean noDaemon;

  @Option(
      names = "--daemon",
      hidden = true, // started by cromwell lsp itself
      description = "run the shared daemon that editor sessions connect to")
  boolean daemon;

  @Option(
      names = "--idle-timeout-s",
      paramLabel = "SECONDS",
      hidden = true,
      description = "with --daemon: exit after this long without a session (default: 1800)")
  long idleTimeoutSeconds = LspDaemon.DEFAULT_IDLE_TIMEOUT.toSeconds();

  private static Path defaultTokenFile(int port) {
    String runtime = System.getenv("XDG_RUNTIME_DIR");
    String home = System.getenv("CROMWELL_HOME");
    Path base =
        runtime != null && !runtime.isBlank()
            ? Path.of(runtime, "cromwell")
            : home != null && !home.isBlank()
                ? Path.of(home)
                : Path.of(System.getProperty("user.home"), ".cache", "cromwell");
    return base.resolve("lsp-" + port + ".token");
  }

  @Override
  public Integer call() throws Exception {
    FrameLimits limits = FrameLimits.withMessageMegabytes(maxMessageMb);
    JsonObject defaults = new JsonObject();
    if (model != null) {
      // A file is passed on as an absolute path; a catalogue name as it is (the server resolves
      // it).
      Path file = ModelStore.expandHome(model);
      defaults.addProperty(
          "model", java.nio.file.Files.exists(file) ? file.toAbsolutePath().toString() : model);
    }
    if (threads != null) {
      defaults.addProperty("threads", threads);
    }
    if (daemon) {
      if (idleTimeoutSeconds < 1) {
        throw new IllegalArgumentException(
            "--idle-timeout-s must be at least 1, got " + idleTimeoutSeconds);
      }
      return new LspDaemon(
              DaemonPaths.forDaemon(System.getenv()),
              java.time.Duration.ofSeconds(idleTimeoutSeconds),
              System.err)
          .run();
    }
    ServerConfig.Update update = ServerConfig.defaults().apply(defaults);
    if (!update.problems().isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", update.problems()));
    }
    if (port != null) {
      if (initializeTimeoutSeconds < 1 || initializeTimeoutSeconds > 3600) {
        throw new IllegalArgumentException(
            "--initialize-timeout-s must be between 1 and 3600, got " + initializeTimeoutSeconds);
      }
      return new TcpServer(
              () -> CromwellLanguageServer.withModels(update.config()),
              limits,
              System.err,
              java.time.Duration.ofSeconds(initializeTimeoutSeconds))
          .run(port, bound -> tokenFile != null ? tokenFile : defaultTokenFile(bound));
    }
    // stdout is the protocol channel: nothing else may write to it.
    java.io.PrintStream protocolOut = System.out;
    System.setOut(System.err);
    DaemonProxy.Policy policy =
        noDaemon ? DaemonProxy.Policy.OFF : DaemonProxy.Policy.of(System.getenv("CROMWELL_DAEMON"));
    StandardError log = new StandardError();
    // initialize is answered here first, whoever serves the rest: the editor waits for that answer,
    // and connecting to a daemon (or starting one) must not delay it. The daemon then reads the
    // same initialize, and its answer is left out of what reaches the editor.
    EarlyInitialize.Streams streams = LspLauncher.answerEarly(System.in, protocolOut, limits, log);
    if (policy != DaemonProxy.Policy.OFF) {
      // A warm daemon answers this session (its model may be loaded already); without one
      // reachable, this process serves as before.
      var served =
          new DaemonProxy(DaemonPaths.forSession(System.getenv()), System.getenv(), System.err)
              .serve(policy, defaults, maxMessageMb, streams.in(), streams.out());
      if (served.isPresent()) {
        return served.get();
      }
    }
    // The server (and its model catalogue) is built after initialize has been answered.
    return LspLauncher.serve(
        new ServerWith(update.config()).get(), streams.in(), streams.out(), limits, log);
  }

  // The two below are classes rather than lambdas: the first lambda of a process spins its class
  // and the JDK's lambda machinery (milliseconds), and here that would come before initialize is
  // answered.

  /** Builds the stdio server with the models of {@code config}. */
  private record ServerWith(ServerConfig config) implements Supplier<CromwellLanguageServer> {
    @Override
    public CromwellLanguageServer get() {
      return CromwellLanguageServer.withModels(config);
    }
  }

  /** Log lines go to standard error (standard output is the protocol). */
  private static final class StandardError implements Consumer<String> {
    @Override
    public void accept(String line) {
      System.err.println(line);
    }
  }
}
