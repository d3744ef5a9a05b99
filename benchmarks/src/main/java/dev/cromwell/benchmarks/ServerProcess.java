package dev.cromwell.benchmarks;

import com.google.gson.JsonObject;
import dev.cromwell.benchmarks.TypingLatencyBench.QuietClient;
import dev.cromwell.benchmarks.TypingLatencyBench.Server;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.ClientCapabilities;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.InitializedParams;
import org.eclipse.lsp4j.WorkspaceFolder;
import org.eclipse.lsp4j.jsonrpc.Launcher;

/**
 * Cromwell's LSP server as an editor starts it: a process (normally {@code bin/cromwell lsp})
 * spoken to over its stdin and stdout. It times what the user waits for before the first suggestion
 * can come: process start to the {@code initialize} answer, and that answer to the model being
 * ready.
 */
final class ServerProcess implements AutoCloseable {
  private final Process process;
  private final Server server;
  private final long startedNanos;
  private long initializedNanos;

  private ServerProcess(Process process, Server server, long startedNanos) {
    this.process = process;
    this.server = server;
    this.startedNanos = startedNanos;
  }

  /**
   * Starts {@code command} and sends {@code initialize} at once (it waits in the pipe until the
   * server reads it), with {@code settings} as initializationOptions and {@code workspace} as the
   * one workspace folder.
   */
  static ServerProcess start(List<String> command, JsonObject settings, Path workspace)
      throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
    long started = System.nanoTime();
    Process p = pb.start();
    Launcher<Server> launcher =
        new Launcher.Builder<Server>()
            .setLocalService(new QuietClient())
            .setRemoteInterface(Server.class)
            .setInput(p.getInputStream())
            .setOutput(p.getOutputStream())
            .create();
    launcher.startListening();
    ServerProcess sp = new ServerProcess(p, launcher.getRemoteProxy(), started);
    InitializeParams init = new InitializeParams();
    init.setProcessId((int) ProcessHandle.current().pid());
    init.setCapabilities(new ClientCapabilities());
    init.setInitializationOptions(settings);
    if (workspace != null) {
      String uri = workspace.toAbsolutePath().normalize().toUri().toString();
      init.setWorkspaceFolders(List.of(new WorkspaceFolder(uri, "workspace")));
    }
    sp.server.initialize(init).get(60, TimeUnit.SECONDS);
    sp.initializedNanos = System.nanoTime();
    sp.server.initialized(new InitializedParams());
    return sp;
  }

  Server server() {
    return server;
  }

  /** Process start to the {@code initialize} answer. */
  double initializeMillis() {
    return (initializedNanos - startedNanos) / 1e6;
  }

  /**
   * Polls {@code cromwell/status} every 5 ms until the model is ready, and returns the time since
   * the {@code initialize} answer.
   */
  double awaitReadyMillis() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (true) {
      Object state = status().get("modelState");
      if ("ready".equals(state)) {
        return (System.nanoTime() - initializedNanos) / 1e6;
      }
      if (state instanceof String s && s.startsWith("failed")) {
        throw new IllegalStateException("the server could not load the model: " + s);
      }
      if (System.nanoTime() > deadline || !process.isAlive()) {
        throw new IllegalStateException("the server did not load the model (state " + state + ")");
      }
      Thread.sleep(5);
    }
  }

  Map<String, Object> status() throws Exception {
    return server.status().get(60, TimeUnit.SECONDS);
  }

  /** Shuts the server down as an editor does (shutdown, exit) and waits for the process. */
  @Override
  public void close() throws IOException {
    try {
      server.shutdown().get(30, TimeUnit.SECONDS);
      server.exit();
      if (process.waitFor(30, TimeUnit.SECONDS)) {
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // it may already be gone; the process is ended below either way
    }
    process.destroyForcibly();
  }
}
