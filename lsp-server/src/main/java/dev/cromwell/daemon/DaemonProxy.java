package dev.cromwell.daemon;

import java.io.EOFException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The editor's {@code cromwell lsp} when a daemon serves ({@link LspDaemon}): it connects to the
 * daemon's socket, starting the daemon first when none runs and the policy allows, and pipes the
 * editor's stdin to the daemon and the daemon's answers to stdout. When no daemon can be reached
 * (off, neither a launcher nor a java -jar to start one with, a run folder that is not private, a
 * daemon that did not come up in time) it returns nothing and the caller serves in this process as
 * without a daemon.
 */
public final class DaemonProxy {
  /** What {@code CROMWELL_DAEMON} asks for. */
  public enum Policy {
    /** Connect to a running daemon, else start one and connect (the default). */
    AUTO,
    /** Connect to a running daemon, else serve in-process. */
    CONNECT,
    /** Always serve in-process (tests, benchmarks of the cold path). */
    OFF;

    /** Reads {@code CROMWELL_DAEMON} (auto, connect, off; absent: auto). */
    public static Policy of(String value) {
      if (value == null || value.isBlank()) {
        return AUTO;
      }
      return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
        case "auto", "on" -> AUTO;
        case "connect" -> CONNECT;
        case "off", "no", "0", "false" -> OFF;
        default ->
            throw new IllegalArgumentException(
                "CROMWELL_DAEMON must be auto, connect or off, got \"" + value + "\"");
      };
    }
  }

  private static final long DEFAULT_WAIT_MS = 10_000;

  /**
   * How long a daemon that exited 0 (another one holds the lock) is given for that other one's
   * socket to accept: it is either starting (it binds at once) or idling out (it will not).
   */
  private static final long LOCK_HELD_GRACE_MS = 2_000;

  private final DaemonPaths paths;
  private final Map<String, String> env;
  private final PrintStream err;
  private final Duration handshake;
  private final Duration endGrace;
  // Null: this JVM, read only when a daemon is to be started (reading its arguments loads the
  // management classes, which a session that connects to a running daemon need not wait for).
  private final DaemonCommand.Jvm jvm;

  public DaemonProxy(DaemonPaths paths, Map<String, String> env, PrintStream err) {
    this(paths, env, err, Duration.ofSeconds(3), Duration.ofSeconds(10));
  }

  DaemonProxy(
      DaemonPaths paths,
      Map<String, String> env,
      PrintStream err,
      Duration handshake,
      Duration endGrace) {
    this(paths, env, err, handshake, endGrace, null);
  }

  /**
   * With {@code handshake}: how long connecting and the daemon's acknowledgement may take; {@code
   * endGrace}: how long the daemon may take to end the session after the editor's input ended.
   */
  DaemonProxy(
      DaemonPaths paths,
      Map<String, String> env,
      PrintStream err,
      Duration handshake,
      Duration endGrace,
      DaemonCommand.Jvm jvm) {
    this.paths = paths;
    this.jvm = jvm;
    this.env = env;
    this.err = err;
    this.handshake = handshake;
    this.endGrace = endGrace;
  }

  /**
   * Serves the editor through the daemon with {@code defaults} (this command line's settings) and
   * its frame limit: returns the session's exit code, or nothing when no daemon could be reached
   * (nothing was read from {@code stdin} then).
   */
  public Optional<Integer> serve(
      Policy policy,
      com.google.gson.JsonObject defaults,
      int maxMessageMb,
      InputStream stdin,
      OutputStream stdout) {
    if (policy == Policy.OFF) {
      return Optional.empty();
    }
    try {
      paths.ensurePrivate();
    } catch (IOException e) {
      err.println("cromwell lsp: " + e.getMessage() + "; serving without the daemon");
      return Optional.empty();
    }
    DaemonWire.Hello hello = new DaemonWire.Hello(defaults, maxMessageMb, workingFolder());
    SocketChannel channel = connect(hello);
    if (channel == null && policy == Policy.AUTO) {
      channel = startAndConnect(hello);
    }
    if (channel == null) {
      return Optional.empty();
    }
    return Optional.of(pipe(channel, stdin, stdout));
  }

  /**
   * This session's working folder: the daemon (started elsewhere) resolves the editor's relative
   * paths, such as a model setting, against it as a server in this process would.
   */
  private static String workingFolder() {
    return Path.of("").toAbsolutePath().toString();
  }

  /**
   * Connects to the daemon's socket and greets it: the channel (blocking) once the daemon has
   * acknowledged the greeting, or null when none listens there (no file, refused), or the daemon
   * did not take the session (a listener closed as it idled out resets the connection; a stuck one
   * does not answer in time). Nothing of the editor's is sent before the acknowledgement, so on
   * null the caller can still serve the session itself.
   */
  SocketChannel connect(DaemonWire.Hello hello) {
    if (!Files.exists(paths.socket())) {
      return null;
    }
    SocketChannel ch = null;
    try {
      ch = SocketChannel.open(StandardProtocolFamily.UNIX);
      ch.configureBlocking(false);
      if (greet(ch, hello, System.nanoTime() + handshake.toNanos())) {
        ch.configureBlocking(true); // its selector is closed: it may block again
        return ch;
      }
      ch.close();
      return null;
    } catch (IOException e) {
      // refused (a dead daemon's socket: the next daemon replaces it), or reset as it idled out
      if (ch != null) {
        try {
          ch.close();
        } catch (IOException closing) {
          // nothing to keep
        }
      }
      return null;
    }
  }

  /**
   * Connects the non-blocking {@code ch}, greets, and reads the acknowledgement by the deadline.
   */
  private boolean greet(SocketChannel ch, DaemonWire.Hello hello, long deadline)
      throws IOException {
    try (Selector selector = Selector.open()) {
      if (!ch.connect(UnixDomainSocketAddress.of(paths.socket()))) {
        ch.register(selector, SelectionKey.OP_CONNECT);
        if (!await(selector, deadline) || !ch.finishConnect()) {
          return false;
        }
      }
      ByteBuffer greeting = ByteBuffer.wrap(hello.line());
      while (greeting.hasRemaining()) {
        if (ch.write(greeting) == 0) {
          ch.register(selector, SelectionKey.OP_WRITE);
          if (!await(selector, deadline)) {
            return false;
          }
        }
      }
      ch.register(selector, SelectionKey.OP_READ);
      ByteBuffer ack = ByteBuffer.allocate(1);
      while (ack.hasRemaining()) {
        if (!await(selector, deadline) || ch.read(ack) < 0) {
          return false;
        }
      }
      return ack.get(0) == DaemonWire.ACK;
    }
  }

  /** Waits on {@code selector} until the deadline; false when nothing became ready by then. */
  private static boolean await(Selector selector, long deadline) throws IOException {
    for (long left = (deadline - System.nanoTime()) / 1_000_000;
        left > 0;
        left = (deadline - System.nanoTime()) / 1_000_000) {
      if (selector.select(left) > 0) { // 0 early: a spurious wake-up, wait on
        selector.selectedKeys().clear();
        return true;
      }
    }
    return false;
  }

  /**
   * Starts a daemon in a session of its own (so that the editor's end does not end it), its output
   * to the log in the run folder, and waits for its socket; null when it cannot be started ({@link
   * DaemonCommand}) or it did not come up in time.
   */
  private SocketChannel startAndConnect(DaemonWire.Hello hello) {
    DaemonCommand daemonCommand =
        DaemonCommand.of(env, jvm != null ? () -> jvm : DaemonCommand.Jvm::current);
    if (!daemonCommand.startable()) {
      err.println(
          "cromwell lsp: no daemon started ("
              + daemonCommand.missing()
              + "); connect-only, serving this session in this process");
      return null;
    }
    List<String> command = new ArrayList<>();
    for (String setsid : List.of("/usr/bin/setsid", "/bin/setsid")) {
      if (Files.isExecutable(Path.of(setsid))) {
        command.add(setsid);
        break;
      }
    }
    command.addAll(daemonCommand.command());
    ProcessBuilder pb =
        new ProcessBuilder(command)
            // Not the first editor's project: the daemon outlives it and serves other projects.
            .directory(paths.runDir().toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.appendTo(paths.log().toFile()))
            .redirectErrorStream(true);
    daemonCommand.adjust(pb.environment(), paths);
    Process daemon;
    try {
      daemon = pb.start();
    } catch (IOException e) {
      err.println(
          "cromwell lsp: could not start the daemon (" + e.getMessage() + "); serving without it");
      return null;
    }
    long waitMs = DEFAULT_WAIT_MS;
    String wait = env.get("CROMWELL_DAEMON_WAIT_MS");
    if (wait != null && wait.matches("\\d{1,7}")) {
      waitMs = Long.parseLong(wait);
    }
    long deadline = System.nanoTime() + waitMs * 1_000_000;
    boolean lockHeld = false;
    while (System.nanoTime() < deadline) {
      SocketChannel ch = connect(hello);
      if (ch != null) {
        return ch;
      }
      if (!lockHeld && !daemon.isAlive() && daemon.exitValue() == 0) {
        // Another daemon holds the lock: it serves, unless it is idling out; not a full wait.
        lockHeld = true;
        deadline = Math.min(deadline, System.nanoTime() + LOCK_HELD_GRACE_MS * 1_000_000);
      }
      if (!daemon.isAlive() && daemon.exitValue() != 0) {
        // It failed to start (its log says why): the editor need not wait out the deadline.
        err.println(
            "cromwell lsp: the daemon failed to start (its log: "
                + paths.log()
                + "); serving without it");
        return null;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
    if (lockHeld) {
      err.println(
          "cromwell lsp: another Cromwell daemon holds the lock but did not take the session (its"
              + " log: "
              + paths.log()
              + "); serving without it");
      return null;
    }
    err.println(
        "cromwell lsp: the daemon did not start within "
            + waitMs
            + " ms (its log: "
            + paths.log()
            + "); serving without it");
    return null;
  }

  /**
   * Pipes the editor's bytes to the daemon and its answers back until the session ends. The
   * editor's end of input ends the daemon's input (the server there then ends); the daemon's end of
   * the session ends this process with the server's exit code, and a daemon that died with one line
   * and code 1, never a hang; so does a daemon that has not ended the session {@code endGrace}
   * after the editor's input ended.
   */
  private int pipe(SocketChannel channel, InputStream stdin, OutputStream stdout) {
    CountDownLatch ended = new CountDownLatch(1);
    AtomicBoolean gaveUp = new AtomicBoolean();
    try (channel) {
      OutputStream toDaemon = Channels.newOutputStream(channel);
      Thread.ofPlatform()
          .daemon()
          .name("cromwell-proxy-stdin")
          .start(
              () -> {
                try {
                  stdin.transferTo(toDaemon);
                } catch (IOException e) {
                  // the daemon's side closed: the copy below reports it
                }
                try {
                  channel.shutdownOutput();
                  // The editor is gone: a daemon that does not end the session must not keep
                  // this process (and the editor's wait for it) alive.
                  if (!ended.await(endGrace.toMillis(), TimeUnit.MILLISECONDS)) {
                    gaveUp.set(true);
                    channel.close();
                  }
                } catch (IOException e) {
                  // closed already
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      return DaemonWire.copyChunks(Channels.newInputStream(channel), stdout);
    } catch (IOException e) {
      if (gaveUp.get()) {
        err.println(
            "cromwell lsp: the Cromwell daemon did not end the session within "
                + endGrace.toSeconds()
                + " s of the editor's exit; gave up (its log: "
                + paths.log()
                + ")");
        return 1;
      }
      return failed(e);
    } finally {
      ended.countDown();
    }
  }

  private int failed(IOException e) {
    if (e instanceof EOFException) {
      err.println(
          "cromwell lsp: the Cromwell daemon ended the session unexpectedly (its log: "
              + paths.log()
              + ")");
      return 1;
    }
    err.println(
        "cromwell lsp: the connection to the Cromwell daemon failed: "
            + e.getMessage()
            + " (its log: "
            + paths.log()
            + ")");
    return 1;
  }
}
