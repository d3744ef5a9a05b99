package dev.cromwell.benchmarks;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Cromwell's LSP server as an editor starts it: a process (normally {@code bin/cromwell lsp})
 * spoken to over its stdin and stdout. It times what the user waits for before the first suggestion
 * can come: process start to the {@code initialize} answer, and that answer to the model being
 * ready.
 */
final class ServerProcess implements AutoCloseable {
  private final Process process;
  private final LspClient client;
  private final long startedNanos;
  private long initializedNanos;

  private ServerProcess(Process process, LspClient client, long startedNanos) {
    this.process = process;
    this.client = client;
    this.startedNanos = startedNanos;
  }

  /**
   * Starts {@code command} and sends {@code initialize} at once (it waits in the pipe until the
   * server reads it), with {@code settings} as initializationOptions and {@code workspace} as the
   * one workspace folder.
   */
  static ServerProcess start(List<String> command, JsonObject settings, Path workspace)
      throws Exception {
    LspClient.warmUp();
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
    // A process of its own, as measured, unless the caller asks for the warm daemon
    // (CROMWELL_DAEMON=auto: benchmarks/editor-latency.sh -d).
    pb.environment().putIfAbsent("CROMWELL_DAEMON", "off");
    long started = System.nanoTime();
    Process p = pb.start();
    ServerProcess sp =
        new ServerProcess(p, new LspClient(p.getInputStream(), p.getOutputStream()), started);
    sp.initializedNanos = sp.client.initialize(settings, workspace, "workspace");
    return sp;
  }

  LspClient client() {
    return client;
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
    client.awaitReady(5, process::isAlive);
    return (System.nanoTime() - initializedNanos) / 1e6;
  }

  Map<String, Object> status() throws Exception {
    return client.status();
  }

  /** Shuts the server down as an editor does (shutdown, exit) and waits for the process. */
  @Override
  public void close() {
    try {
      if (client.shutdown() && process.waitFor(30, TimeUnit.SECONDS)) {
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process.destroyForcibly();
  }
}
