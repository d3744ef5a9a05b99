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
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import jdk.net.ExtendedSocketOptions;

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

  /** How long a connection may take to send its greeting before the daemon drops it. */
  private static final Duration HELLO_TIMEOUT = Duration.ofSeconds(10);

  private final DaemonPaths paths;
  private final Duration idleTimeout;
  private final Duration helloTimeout;
  private final PrintStream log;
  private final WarmModels warm = new WarmModels();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicLong idleSince = new AtomicLong(System.nanoTime());

  public LspDaemon(DaemonPaths paths, Duration idleTimeout, PrintStream log) {
    this(paths, idleTimeout, HELLO_TIMEOUT, log);
  }

  LspDaemon(DaemonPaths paths, Duration idleTimeout, Duration helloTimeout, PrintStream log) {
    this.paths = paths;
    this.idleTimeout = idleTimeout;
    this.helloTimeout = helloTimeout;
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
        try {
          serve(server);
        } finally {
          // The lock is released next: from then on the socket may be a newer daemon's.
          try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
          } catch (IllegalStateException shuttingDown) {
            // the hook runs now, while this daemon still holds the lock
          }
        }
      }
    }
    return 0;
  }

  private void serve(ServerSocketChannel server) throws IOException {
    log.println(
        "cromwell daemon: listening on "
            + paths.socket()
            + " (pid "
            + ProcessHandle.current().pid()
            + ", exits after "
            + idleTimeout.toSeconds()
            + " s without a session)");
    ScheduledExecutorService timers =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "cromwell-daemon-idle");
              t.setDaemon(true);
              return t;
            });
    long tick = Math.max(100, Math.min(idleTimeout.toMillis() / 4, 10_000));
    timers.scheduleWithFixedDelay(() -> closeWhenIdle(server), tick, tick, TimeUnit.MILLISECONDS);
    try {
      while (true) {
        SocketChannel client;
        try {
          client = server.accept();
        } catch (IOException closed) {
          break; // the idle timeout closed the listener
        }
        // Counted under the idle check's lock: either the check sees this session, or it has
        // closed the listener and the connection is dropped unacknowledged (its proxy then serves
        // the session itself). So no session is left once the listener is closed.
        synchronized (connections) {
          if (!server.isOpen()) {
            client.close();
            break;
          }
          connections.incrementAndGet();
        }
        // A connection that never greets must not keep the daemon from idling out. Whether it
        // was dropped is its own flag, set before the close: the future's cancel() succeeds
        // while the task is still running, so it cannot tell a drop from the client's hang-up.
        AtomicBoolean dropped = new AtomicBoolean();
        ScheduledFuture<?> drop =
            timers.schedule(
                () -> {
                  dropped.set(true);
                  close(client);
                },
                helloTimeout.toMillis(),
                TimeUnit.MILLISECONDS);
        Thread.ofPlatform()
            .daemon()
            .name("cromwell-daemon-session")
            .start(() -> session(client, drop, dropped));
      }
    } finally {
      timers.shutdownNow();
      Files.deleteIfExists(paths.socket());
      warm.close();
      log.println("cromwell daemon: idle for " + idleTimeout.toSeconds() + " s; exited");
    }
  }

  private static void close(SocketChannel client) {
    try {
      client.close();
    } catch (IOException e) {
      // closing: nothing to keep
    }
  }

  /**
   * Whether the peer runs as this user. The run folder's mode keeps others out already; this holds
   * also where that folder was opened by mistake.
   */
  private boolean sameUser(SocketChannel client) {
    try {
      String peer = client.getOption(ExtendedSocketOptions.SO_PEERCRED).user().getName();
      String me = System.getProperty("user.name");
      if (!peer.equals(me)) {
        log.println("cromwell daemon: refused a connection from user " + peer + ", not " + me);
        return false;
      }
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      return true; // no peer credentials on this system: the folder's mode is the guard
    }
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

  private void session(SocketChannel client, ScheduledFuture<?> drop, AtomicBoolean dropped) {
    try (client) {
      if (!sameUser(client)) {
        return;
      }
      InputStream in = DaemonWire.uninterruptible(client);
      DaemonWire.Hello hello;
      try {
        hello = DaemonWire.Hello.read(in);
      } finally {
        drop.cancel(false);
        if (dropped.get()) { // dropped meanwhile: what was read is cut short
          throw new IOException("no greeting within " + helloTimeout.toMillis() + " ms; dropped");
        }
      }
      // Taken: the proxy sends the editor's bytes only after this.
      client.write(ByteBuffer.wrap(new byte[] {DaemonWire.ACK}));
      ServerConfig.Update update = ServerConfig.defaults().apply(hello.defaults());
      FrameLimits limits = FrameLimits.withMessageMegabytes(hello.maxMessageMb());
      DaemonWire.ChunkedOutput out = new DaemonWire.ChunkedOutput(client);
      ServerConfig config = update.config();
      int code =
          LspLauncher.serveAnsweringEarly(
              () ->
                  CromwellLanguageServer.withModels(
                      config, warm, hello.cwd() == null ? null : Path.of(hello.cwd())),
              in,
              out,
              limits,
              log::println);
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
