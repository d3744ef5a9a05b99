package dev.cromwell.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where the daemon of this build lives: a per-user folder of mode 0700 ({@code $CROMWELL_RUN_DIR},
 * else {@code $XDG_RUNTIME_DIR/cromwell}, else {@code $CROMWELL_HOME/run}), and in it a socket, a
 * lock and a log named by the build's identity: the jar's path, size and modification time, the
 * Java it runs on and the environment that shapes its JVM and model store, and, for a daemon
 * started by {@code java -jar} (no launcher), the JVM flags it is started with: one daemon per set
 * of flags, so that an editor's {@code -Xmx8g} or {@code -Dcromwell.*} is never served by a daemon
 * started with others. A rebuilt or upgraded jar therefore never talks to an older daemon; that one
 * idles out.
 */
public record DaemonPaths(Path runDir, Path socket, Path lock, Path log) {
  /** Environment variables that change what a daemon would do, so they are part of its name. */
  private static final String[] SHAPING = {
    "CROMWELL_HOME", "XDG_CACHE_HOME", "CROMWELL_JVM_OPTS", "CROMWELL_VECTOR_BITS"
  };

  /**
   * The environment variable by which a proxy hands the daemon it starts its name: the daemon
   * cannot recompute it, since it does not see the proxy's command line.
   */
  static final String ID_VARIABLE = "CROMWELL_DAEMON_ID";

  /** The daemon's files for the build running this code, in the environment {@code env}. */
  public static DaemonPaths of(Map<String, String> env) {
    return named(env, identity(env, null));
  }

  /**
   * The files of the daemon that an editor session (a proxy) uses: started by {@code java -jar}
   * without a launcher, the daemon runs with this JVM's flags ({@link DaemonCommand}), so they are
   * part of its name.
   */
  public static DaemonPaths forSession(Map<String, String> env) {
    String launcher = env.get("CROMWELL_LAUNCHER");
    if ((launcher != null && !launcher.isBlank())
        || DaemonCommand.Jvm.jarOf(DaemonCommand.class).isEmpty()) {
      return of(env);
    }
    return of(env, DaemonCommand.Jvm.launchFlags());
  }

  /** The daemon's own files: the name its proxy handed it, else the one it computes. */
  public static DaemonPaths forDaemon(Map<String, String> env) {
    String handed = env.get(ID_VARIABLE);
    if (handed != null && handed.matches("[0-9a-f]{16}")) {
      return named(env, handed);
    }
    return of(env);
  }

  /** The files of a daemon started by {@code java -jar} with the JVM flags {@code flags}. */
  static DaemonPaths of(Map<String, String> env, List<String> flags) {
    return named(env, identity(env, flags));
  }

  /** This daemon's name, the part of its files' names that tells them from other daemons'. */
  Optional<String> id() {
    String name = socket.getFileName().toString();
    return name.matches("lsp-[0-9a-f]{16}\\.sock")
        ? Optional.of(name.substring("lsp-".length(), name.length() - ".sock".length()))
        : Optional.empty();
  }

  private static DaemonPaths named(Map<String, String> env, String id) {
    Path dir = runDir(env);
    return new DaemonPaths(
        dir,
        dir.resolve("lsp-" + id + ".sock"),
        dir.resolve("lsp-" + id + ".lock"),
        dir.resolve("lsp-" + id + ".log"));
  }

  static Path runDir(Map<String, String> env) {
    String explicit = env.get("CROMWELL_RUN_DIR");
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit);
    }
    String runtime = env.get("XDG_RUNTIME_DIR");
    if (runtime != null && !runtime.isBlank()) {
      return Path.of(runtime, "cromwell");
    }
    String home = env.get("CROMWELL_HOME");
    if (home == null || home.isBlank()) {
      String cache = env.get("XDG_CACHE_HOME");
      home =
          (cache != null && !cache.isBlank()
                  ? Path.of(cache)
                  : Path.of(System.getProperty("user.home"), ".cache"))
              .resolve("cromwell")
              .toString();
    }
    return Path.of(home, "run");
  }

  private static String identity(Map<String, String> env, List<String> flags) {
    StringBuilder what = new StringBuilder();
    try {
      Path code =
          Path.of(DaemonPaths.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      what.append(code.toAbsolutePath()).append('\n');
      what.append(Files.size(code)).append('\n');
      what.append(Files.getLastModifiedTime(code).toMillis()).append('\n');
    } catch (Exception e) {
      what.append("unknown build\n"); // still one daemon per environment below
    }
    what.append(System.getProperty("java.home")).append('\n');
    for (String name : SHAPING) {
      what.append(name).append('=').append(env.getOrDefault(name, "")).append('\n');
    }
    if (flags != null) {
      what.append("java -jar\n");
      // The java binary's own option variables reach the daemon's flags too (DaemonCommand).
      for (String name : new String[] {"JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS"}) {
        what.append(name).append('=').append(env.getOrDefault(name, "")).append('\n');
      }
      for (String flag : flags) {
        what.append("flag ").append(flag).append('\n');
      }
    }
    // FNV-1a over the description: a name, not a secret (the folder is private), and cheaper at
    // the start of every editor session than a MessageDigest (its provider loads first).
    long hash = 0xcbf29ce484222325L;
    for (byte b : what.toString().getBytes(StandardCharsets.UTF_8)) {
      hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
    }
    return HexFormat.of().toHexDigits(hash);
  }

  /**
   * Makes the run folder (mode 0700) or checks that the existing one is private to this user.
   * Anyone who can write to it could put a socket of their own there and read the editor's code.
   *
   * @throws IOException with one line naming the folder and the fix
   */
  public void ensurePrivate() throws IOException {
    // Created here or found: checked the same way after, so that one made by someone else between
    // a check and a creation is never taken for ours.
    Path parent = runDir.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try {
      Files.createDirectory(
          runDir,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (FileAlreadyExistsException found) {
      // checked below
    }
    if (Files.isSymbolicLink(runDir)) {
      throw new IOException(
          runDir + " is a symbolic link; replace it with a folder or set CROMWELL_RUN_DIR");
    }
    if (!Files.isDirectory(runDir, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(runDir + " is not a folder; remove it or set CROMWELL_RUN_DIR");
    }
    String me = System.getProperty("user.name");
    String owner = Files.getOwner(runDir, LinkOption.NOFOLLOW_LINKS).getName();
    if (!owner.equals(me)) {
      throw new IOException(
          runDir
              + " belongs to "
              + owner
              + ", not "
              + me
              + "; set CROMWELL_RUN_DIR to a folder of yours");
    }
    Set<PosixFilePermission> mode =
        Files.getPosixFilePermissions(runDir, LinkOption.NOFOLLOW_LINKS);
    for (PosixFilePermission p : mode) {
      if (p.name().startsWith("GROUP") || p.name().startsWith("OTHERS")) {
        throw new IOException(
            runDir
                + " is open to other users (mode "
                + PosixFilePermissions.toString(mode)
                + "); make it private with: chmod 700 "
                + runDir);
      }
    }
  }
}
