package dev.cromwell.lsp;

import com.google.gson.JsonObject;
import dev.cromwell.lsp.rpc.EarlyInitialize;
import dev.cromwell.lsp.rpc.FrameLimits;
import dev.cromwell.lsp.rpc.FramedLauncherBuilder;
import dev.cromwell.lsp.rpc.LifecycleGate;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.services.LanguageClient;

/**
 * Runs a {@link CromwellLanguageServer} over a pair of streams (stdio, or a {@link TcpServer}'s
 * connection).
 */
public final class LspLauncher {
  private LspLauncher() {}

  /**
   * Serves stdio as an editor starts it: {@code initialize} is answered before {@code server} and
   * the launcher are built ({@link EarlyInitialize}), and then the server reads that same message
   * and the rest of the input as if nothing had happened.
   */
  public static int serveAnsweringEarly(
      Supplier<CromwellLanguageServer> server,
      InputStream in,
      OutputStream out,
      FrameLimits limits,
      Consumer<String> log) {
    EarlyInitialize.Streams streams = answerEarly(in, out, limits, log);
    return serve(server.get(), streams.in(), streams.out(), limits, log);
  }

  /**
   * Answers a plain {@code initialize} at the head of {@code in} on {@code out} with the server's
   * result ({@link EarlyInitialize}): whoever serves the returned streams (a server here, or a
   * daemon behind a proxy) reads that {@code initialize} again, and its own answer is left out.
   */
  public static EarlyInitialize.Streams answerEarly(
      InputStream in, OutputStream out, FrameLimits limits, Consumer<String> log) {
    return EarlyInitialize.answer(in, out, limits, new InitializeResultOf(), log);
  }

  /**
   * {@link CromwellLanguageServer#initializeResult(JsonObject)} as a class rather than a method
   * reference: the first lambda of a process spins its class and the JDK's lambda machinery (some
   * 80 classes, milliseconds), which the answer to {@code initialize} need not wait for.
   */
  private static final class InitializeResultOf implements Function<JsonObject, JsonObject> {
    @Override
    public JsonObject apply(JsonObject params) {
      return CromwellLanguageServer.initializeResult(params);
    }
  }

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
    return serve(server, in, out, limits, log, null);
  }

  /** As above, requiring {@code credential} in {@code initialize} when it is not null. */
  public static int serve(
      CromwellLanguageServer server,
      InputStream in,
      OutputStream out,
      FrameLimits limits,
      Consumer<String> log,
      LifecycleGate.Credential credential) {
    FramedLauncherBuilder<LanguageClient> builder =
        new FramedLauncherBuilder<>(limits, log, credential);
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
}
