package dev.cromwell.lsp;

import dev.cromwell.lsp.rpc.FrameLimits;
import dev.cromwell.lsp.rpc.LifecycleGate;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * {@code cromwell lsp --port}: any local user can connect to a loopback port, so a client must
 * present a random token that only the user who started the server can read — written to a file of
 * mode 0600 — as {@code initializationOptions.token}; without it nothing is served and the
 * connection is closed. One client is served at a time, each with a fresh server; a client that
 * connects meanwhile is told so and closed. A client that has not sent an {@code initialize} with
 * the token within the initialize timeout is disconnected, so that a silent or foreign connection
 * cannot hold the port. The listener outlives its clients.
 */
public final class TcpServer {
  /** How long a client may take to send {@code initialize} with its token, by default. */
  public static final Duration DEFAULT_INITIALIZE_TIMEOUT = Duration.ofSeconds(10);

  private final Supplier<CromwellLanguageServer> servers;
  private final FrameLimits limits;
  private final PrintStream log;
  private final Duration initializeTimeout;
  private final AtomicBoolean busy = new AtomicBoolean();

  public TcpServer(Supplier<CromwellLanguageServer> servers, FrameLimits limits, PrintStream log) {
    this(servers, limits, log, DEFAULT_INITIALIZE_TIMEOUT);
  }

  public TcpServer(
      Supplier<CromwellLanguageServer> servers,
      FrameLimits limits,
      PrintStream log,
      Duration initializeTimeout) {
    if (initializeTimeout.isNegative() || initializeTimeout.isZero()) {
      throw new IllegalArgumentException(
          "the initialize timeout must be positive, got " + initializeTimeout.toMillis() + " ms");
    }
    this.servers = servers;
    this.limits = limits;
    this.log = log;
    this.initializeTimeout = initializeTimeout;
  }

  /** Whether a client is being served. */
  boolean busy() {
    return busy.get();
  }

  /** Writes a new random token to {@code file} (mode 0600, replacing what was there). */
  public static String writeToken(Path file) throws IOException {
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String token = HexFormat.of().formatHex(random);
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(
        parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Files.deleteIfExists(file); // never write into a file someone else may have made readable
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, token + "\n", StandardCharsets.US_ASCII);
    return token;
  }

  /** Listens on {@code socket} until the process ends, requiring {@code token}. */
  public void serve(ServerSocket socket, String token, Path tokenFile) throws IOException {
    while (!socket.isClosed()) {
      Socket client = socket.accept();
      if (!busy.compareAndSet(false, true)) {
        refuse(client);
        continue;
      }
      Thread t =
          new Thread(
              () -> {
                try (client) {
                  AtomicBoolean settled = disconnectUnlessInitialized(client);
                  LifecycleGate.Credential credential =
                      new LifecycleGate.Credential(
                          token,
                          tokenFile.toString(),
                          () -> closeQuietly(client),
                          () -> settled.set(true));
                  LspLauncher.serve(
                      servers.get(),
                      client.getInputStream(),
                      client.getOutputStream(),
                      limits,
                      log::println,
                      credential);
                } catch (IOException | RuntimeException e) {
                  log.println("cromwell lsp: a client connection failed: " + e.getMessage());
                } finally {
                  busy.set(false);
                }
              },
              "cromwell-tcp-client");
      t.setDaemon(true);
      t.start();
    }
  }

  /**
   * Binds the loopback port, writes the token to {@code tokenFile} of the bound port and serves;
   * returns only on failure.
   */
  public int run(int port, java.util.function.IntFunction<Path> tokenFiles) throws IOException {
    try (ServerSocket socket = new ServerSocket(port, 4, InetAddress.getLoopbackAddress())) {
      Path tokenFile = tokenFiles.apply(socket.getLocalPort());
      String token = writeToken(tokenFile);
      log.println(
          "cromwell lsp: listening on 127.0.0.1:"
              + socket.getLocalPort()
              + "; clients must send initializationOptions.token from "
              + tokenFile);
      log.flush();
      serve(socket, token, tokenFile);
    }
    return 1;
  }

  /**
   * Closes {@code client} once the initialize timeout has passed, unless the returned flag was set
   * by then (an {@code initialize} with the token arrived). Closing ends its session, which frees
   * the port for the next client.
   */
  private AtomicBoolean disconnectUnlessInitialized(Socket client) {
    AtomicBoolean settled = new AtomicBoolean();
    String who = String.valueOf(client.getRemoteSocketAddress());
    CompletableFuture.delayedExecutor(initializeTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .execute(
            () -> {
              if (settled.compareAndSet(false, true) && !client.isClosed()) {
                log.println(
                    "cromwell lsp: the client at "
                        + who
                        + " sent no initialize with a valid token within "
                        + initializeTimeout.toMillis()
                        + " ms; disconnected it (--initialize-timeout-s sets the limit)");
                closeQuietly(client);
              }
            });
    return settled;
  }

  private void refuse(Socket client) {
    try (client) {
      byte[] body =
          ("{\"jsonrpc\":\"2.0\",\"method\":\"window/showMessage\",\"params\":{\"type\":1,"
                  + "\"message\":\"Cromwell is serving another client on this port; only one at"
                  + " a time\"}}")
              .getBytes(StandardCharsets.UTF_8);
      OutputStream out = client.getOutputStream();
      out.write(
          ("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
    } catch (IOException e) {
      // it left already
    }
    log.println("cromwell lsp: refused a second client while one is connected");
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closed already
    }
  }
}
