package dev.cromwell.daemon;

import java.io.EOFException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The editor's {@code cromwell lsp} when a daemon serves ({@link LspDaemon}): it connects to the
 * daemon's socket, starting the daemon first when none runs and the policy allows, and pipes the
 * editor's stdin to the daemon and the daemon's answers to stdout. When no daemon can be reached
 * (off, no launcher to start one with, a run folder that is not private, a daemon that did not come
 * up in time) it returns nothing and the caller serves in this process as without a daemon.
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

  private final DaemonPaths paths;
  private final Map<String, String> env;
  private final PrintStream err;

  public DaemonProxy(DaemonPaths paths, Map<String, String> env, PrintStream err) {
    this.paths = paths;
    this.env = env;
    this.err = err;
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
    SocketChannel channel = connect();
    if (channel == null && policy == Policy.AUTO) {
      channel = startAndConnect();
    }
    if (channel == null) {
      return Optional.empty();
    }
    return Optional.of(pipe(channel, new DaemonWire.Hello(defaults, maxMessageMb), stdin, stdout));
  }

  /** Connects to the daemon's socket, or null when none listens there (no file, or refused). */
  SocketChannel connect() {
    if (!Files.exists(paths.socket())) {
      return null;
    }
    try {
      SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
      try {
        ch.connect(UnixDomainSocketAddress.of(paths.socket()));
        return ch;
      } catch (IOException e) {
        ch.close();
        return null; // a dead daemon's socket: the next daemon replaces it
      }
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Starts a daemon in a session of its own (so that the editor's end does not end it), its output
   * to the log in the run folder, and waits for its socket; null when there is no launcher or it
   * did not come up in time.
   */
  private SocketChannel startAndConnect() {
    String launcher = env.get("CROMWELL_LAUNCHER");
    if (launcher == null || launcher.isBlank() || !Files.isExecutable(Path.of(launcher))) {
      return null; // started as plain java -jar: connect-only
    }
    List<String> command = new ArrayList<>();
    for (String setsid : List.of("/usr/bin/setsid", "/bin/setsid")) {
      if (Files.isExecutable(Path.of(setsid))) {
        command.add(setsid);
        break;
      }
    }
    command.add(launcher);
    command.add("lsp");
    command.add("--daemon");
    String idle = env.get("CROMWELL_DAEMON_IDLE_S");
    if (idle != null && !idle.isBlank()) {
      command.add("--idle-timeout-s");
      command.add(idle.trim());
    }
    ProcessBuilder pb =
        new ProcessBuilder(command)
            // Not the first editor's project: the daemon outlives it and serves other projects.
            .directory(paths.runDir().toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.appendTo(paths.log().toFile()))
            .redirectErrorStream(true);
    pb.environment().remove("CROMWELL_AOT_OUTPUT"); // a training run's output is its own
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
    while (System.nanoTime() < deadline) {
      SocketChannel ch = connect();
      if (ch != null) {
        return ch;
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
   * and code 1, never a hang.
   */
  private int pipe(
      SocketChannel channel, DaemonWire.Hello hello, InputStream stdin, OutputStream stdout) {
    try (channel) {
      OutputStream toDaemon = Channels.newOutputStream(channel);
      toDaemon.write(hello.line());
      toDaemon.flush();
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
                } catch (IOException e) {
                  // closed already
                }
              });
      return DaemonWire.copyChunks(Channels.newInputStream(channel), stdout);
    } catch (EOFException e) {
      err.println(
          "cromwell lsp: the Cromwell daemon ended the session unexpectedly (its log: "
              + paths.log()
              + ")");
      return 1;
    } catch (IOException e) {
      err.println(
          "cromwell lsp: the connection to the Cromwell daemon failed: "
              + e.getMessage()
              + " (its log: "
              + paths.log()
              + ")");
      return 1;
    }
  }
}
