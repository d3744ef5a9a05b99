package dev.cromwell.lsp;

import dev.cromwell.lsp.rpc.FrameLimits;
import dev.cromwell.lsp.rpc.FramedLauncherBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.services.LanguageClient;

/** Runs a {@link CromwellLanguageServer} over a pair of streams (stdio) or one TCP connection. */
public final class LspLauncher {
  private LspLauncher() {}

  /**
   * Serves until the client sends {@code exit} or closes the stream (a broken pipe ends the server
   * cleanly). Returns the process exit code LSP asks for: 0 after shutdown, 1 otherwise.
   */
  public static int serve(CromwellLanguageServer server, InputStream in, OutputStream out) {
    return serve(server, in, out, FrameLimits.defaults(), System.err::println);
  }

  /**
   * As {@link #serve(CromwellLanguageServer, InputStream, OutputStream)}, with the frame limits and
   * where bad frames are logged (one truncated line each).
   */
  public static int serve(
      CromwellLanguageServer server,
      InputStream in,
      OutputStream out,
      FrameLimits limits,
      Consumer<String> log) {
    FramedLauncherBuilder<LanguageClient> builder = new FramedLauncherBuilder<>(limits, log);
    Launcher<LanguageClient> launcher =
        builder
            .setLocalService(server)
            .setRemoteInterface(LanguageClient.class)
            .setInput(in)
            .setOutput(out)
            .create();
    server.connect(launcher.getRemoteProxy());
    Future<Void> listening = launcher.startListening();
    server.onExit(() -> listening.cancel(true));
    try {
      listening.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | java.util.concurrent.CancellationException e) {
      // stream closed or exit: either way we are done
    }
    server.shutdown().join();
    return builder.lifecycle().exitCode();
  }

  /** Listens on {@code port} on the loopback address and serves the first client. */
  public static int serveTcp(CromwellLanguageServer server, int port, java.io.PrintStream log)
      throws IOException {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      log.println("cromwell lsp: listening on 127.0.0.1:" + socket.getLocalPort());
      log.flush();
      try (Socket client = socket.accept()) {
        return serve(server, client.getInputStream(), client.getOutputStream());
      }
    }
  }
}
