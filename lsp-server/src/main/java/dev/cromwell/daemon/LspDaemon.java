package dev.cromwell.daemon;

import dev.cromwell.lsp.CromwellLanguageServer;
import dev.cromwell.lsp.LspLauncher;
import dev.cromwell.lsp.ServerConfig;
import dev.cromwell.lsp.WarmModels;
import dev.cromwell.lsp.rpc.FrameLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code cromwell lsp --daemon}: one warm Cromwell process shared by the user's editor sessions, so
 * that every session after the first finds the JVM's kernels compiled and, with the same settings,
 * its model loaded and warmed ({@link WarmModels}). It listens on a Unix domain socket in a folder
 * private to the user ({@link DaemonPaths}); each connection is an editor's {@code cromwell lsp}
 * ({@link DaemonProxy}) and gets a fresh server, as a process of its own would, and several are
 * served at once. One daemon per build holds the lock file; a second one started meanwhile exits at
 * once. With no connection for the idle timeout it closes its models, removes its socket and exits.
 */
public final class LspDaemon {
  /** How long the daemon waits without a connection before it exits, by default. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(30);

  private final DaemonPaths paths;
  private final Duration idleTimeout;
  private final PrintStream log;
  private final WarmModels warm = new WarmModels();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicLong idleSince = new AtomicLong(System.nanoTime());

  public LspDaemon(DaemonPaths paths, Duration idleTimeout, PrintStream log) {
    this.paths = paths;
    this.idleTimeout = idleTimeout;
    this.log = log;
  }

  /**
   * Serves until the idle timeout; returns the process exit code (0 also when another daemon of
   * this build holds the lock: that one serves).
   */
  public int run() throws IOException {
    paths.ensurePrivate();
    try (FileChannel lockFile =
            FileChannel.open(paths.lock(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = lockFile.tryLock()) {
      if (lock == null) {
        log.println("cromwell daemon: another daemon serves " + paths.socket() + "; exiting");
        return 0;
      }
      // Holding the lock, any socket file left is a dead daemon's: replace it.
      Files.deleteIfExists(paths.socket());
      try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
        server.bind(UnixDomainSocketAddress.of(paths.socket()));
        // Stopped by a signal (kill, logout): no socket of a dead daemon is left (the lock, held
        // until then, makes it this daemon's to remove).
        Thread cleanup =
            new Thread(
                () -> {
                  try {
                    Files.deleteIfExists(paths.socket());
                  } catch (IOException e) {
                    // the next daemon replaces it
                  }
                },
                "cromwell-daemon-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        log.println(
            "cromwell daemon: listening on "
                + paths.socket()
                + " (pid "
                + ProcessHandle.current().pid()
                + ", exits after "
                + idleTimeout.toSeconds()
                + " s without a session)");
        ScheduledExecutorService idle =
            Executors.newSingleThreadScheduledExecutor(
                r -> {
                  Thread t = new Thread(r, "cromwell-daemon-idle");
                  t.setDaemon(true);
                  return t;
                });
        long tick = Math.max(100, Math.min(idleTimeout.toMillis() / 4, 10_000));
        idle.scheduleWithFixedDelay(() -> closeWhenIdle(server), tick, tick, TimeUnit.MILLISECONDS);
        try {
          while (true) {
            SocketChannel client;
            try {
              client = server.accept();
            } catch (IOException closed) {
              break; // the idle timeout closed the listener
            }
            connections.incrementAndGet();
            Thread.ofPlatform()
                .daemon()
                .name("cromwell-daemon-session")
                .start(() -> session(client));
          }
        } finally {
          idle.shutdownNow();
          while (connections.get() > 0) { // one accepted as the listener closed: serve it out
            try {
              Thread.sleep(100);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              break;
            }
          }
          Files.deleteIfExists(paths.socket());
          warm.close();
          log.println("cromwell daemon: idle for " + idleTimeout.toSeconds() + " s; exited");
        }
      }
    }
    return 0;
  }

  private void closeWhenIdle(ServerSocketChannel server) {
    synchronized (connections) {
      if (connections.get() == 0 && System.nanoTime() - idleSince.get() >= idleTimeout.toNanos()) {
        try {
          server.close();
        } catch (IOException e) {
          // closing: nothing to keep
        }
      }
    }
  }

  private void session(SocketChannel client) {
    try (client) {
      InputStream in = DaemonWire.uninterruptible(client);
      DaemonWire.Hello hello = DaemonWire.Hello.read(in);
      ServerConfig.Update update = ServerConfig.defaults().apply(hello.defaults());
      FrameLimits limits = FrameLimits.withMessageMegabytes(hello.maxMessageMb());
      DaemonWire.ChunkedOutput out = new DaemonWire.ChunkedOutput(client);
      ServerConfig config = update.config();
      int code =
          LspLauncher.serveAnsweringEarly(
              () -> CromwellLanguageServer.withModels(config, warm), in, out, limits, log::println);
      out.finish(code);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      log.println("cromwell daemon: a session failed: " + e.getMessage());
    } finally {
      synchronized (connections) {
        if (connections.decrementAndGet() == 0) {
          idleSince.set(System.nanoTime());
        }
      }
      log.println(
          "cromwell daemon: a session ended; "
              + connections.get()
              + " left, "
              + (warm.holdsIdle() ? "a warm model" : "no model")
              + " kept");
    }
  }
}
