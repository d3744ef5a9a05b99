package dev.cromwell.daemon;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The command line that starts the daemon ({@code cromwell lsp --daemon}): through the launcher
 * ({@code bin/cromwell}, named by {@code CROMWELL_LAUNCHER}) when there is one, else with the JVM
 * running this proxy, its flags and its jar, so that an editor that runs {@code java -jar
 * cromwell.jar lsp} (the VS Code extension, docs/EDITORS.md) gets a warm daemon too. The one place
 * that builds it.
 */
record DaemonCommand(List<String> command, String missing, boolean byJar) {

  /** The JVM this proxy runs on: its java binary, its input arguments and the jar it came from. */
  record Jvm(Optional<String> java, List<String> inputArguments, Optional<Path> jar) {
    static Jvm current() {
      return new Jvm(
          ProcessHandle.current().info().command(),
          ManagementFactory.getRuntimeMXBean().getInputArguments(),
          jarOf(DaemonCommand.class));
    }

    /**
     * The flags on this JVM's command line before {@code -jar}, read cheaply (no management
     * classes): what makes a {@code java -jar} daemon's name ({@link DaemonPaths#forSession}). The
     * values of two-word options ({@code --add-modules X}) are kept, as they tell flags apart.
     */
    static List<String> launchFlags() {
      List<String> argv = ProcessHandle.current().info().arguments().map(List::of).orElse(null);
      if (argv == null) {
        return daemonFlags(ManagementFactory.getRuntimeMXBean().getInputArguments());
      }
      List<String> kept = new ArrayList<>();
      for (String a : argv) {
        if (a.equals("-jar")) {
          break;
        }
        if (!belongsToThisProcess(a)) {
          kept.add(a);
        }
      }
      return kept;
    }

    /**
     * The jar {@code type} was loaded from, when this JVM was started with it by {@code -jar} (then
     * it is the whole class path); nothing when it came from a folder (a build's) or from a jar on
     * a class path, which has no Main-Class for the daemon's {@code java -jar}.
     */
    static Optional<Path> jarOf(Class<?> type) {
      return jarOf(type, System.getProperty("java.class.path"));
    }

    static Optional<Path> jarOf(Class<?> type, String classPath) {
      try {
        var source = type.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null || classPath == null) {
          return Optional.empty();
        }
        Path p = Path.of(source.getLocation().toURI());
        return Files.isRegularFile(p)
                && p.toString().endsWith(".jar")
                && Files.isSameFile(p, Path.of(classPath))
            ? Optional.of(p)
            : Optional.empty();
      } catch (URISyntaxException | IOException | RuntimeException e) {
        return Optional.empty();
      }
    }
  }

  /** Whether a daemon can be started: else {@link #missing} says why not. */
  boolean startable() {
    return command != null;
  }

  /** The command for {@code env} (the launcher, the idle timeout) on {@code jvm}. */
  static DaemonCommand of(Map<String, String> env, Jvm jvm) {
    return of(env, () -> jvm);
  }

  /**
   * As {@link #of(Map, Jvm)}, reading the JVM only when there is no launcher (reading its arguments
   * loads the management classes, which bin/cromwell's sessions need not wait for).
   */
  static DaemonCommand of(Map<String, String> env, Supplier<Jvm> jvmSupplier) {
    List<String> program = new ArrayList<>();
    String launcher = env.get("CROMWELL_LAUNCHER");
    if (launcher != null && !launcher.isBlank()) {
      if (!Files.isExecutable(Path.of(launcher))) {
        return new DaemonCommand(
            null, "CROMWELL_LAUNCHER " + launcher + " is not an executable file", false);
      }
      program.add(launcher);
      return finish(program, env, false);
    }
    Jvm jvm = jvmSupplier.get();
    if (jvm.java().isEmpty()) {
      return new DaemonCommand(null, "the java binary running this process is unknown", false);
    } else if (jvm.jar().isEmpty()) {
      return new DaemonCommand(
          null,
          "this process was not started from cromwell.jar (java -jar) nor by bin/cromwell",
          false);
    }
    program.add(jvm.java().get());
    program.addAll(daemonFlags(jvm.inputArguments()));
    program.add("-jar");
    program.add(jvm.jar().get().toString());
    return finish(program, env, true);
  }

  private static DaemonCommand finish(
      List<String> program, Map<String, String> env, boolean byJar) {
    program.add("lsp");
    program.add("--daemon");
    String idle = env.get("CROMWELL_DAEMON_IDLE_S");
    if (idle != null && !idle.isBlank()) {
      program.add("--idle-timeout-s");
      program.add(idle.trim());
    }
    return new DaemonCommand(List.copyOf(program), null, byJar);
  }

  /**
   * Adjusts the daemon's {@code environment} (a copy of this process's): a training run's output is
   * its own; the daemon answers to the name {@code paths} were found by; and, started by {@code
   * java -jar}, it gets no {@code JAVA_TOOL_OPTIONS} or {@code JDK_JAVA_OPTIONS}, whose flags are
   * in its command line already, filtered (an agent's or debugger's port there would be taken).
   */
  void adjust(Map<String, String> environment, DaemonPaths paths) {
    environment.remove("CROMWELL_AOT_OUTPUT");
    paths
        .id()
        .ifPresentOrElse(
            id -> environment.put(DaemonPaths.ID_VARIABLE, id),
            () -> environment.remove(DaemonPaths.ID_VARIABLE));
    if (byJar) {
      environment.remove("JAVA_TOOL_OPTIONS");
      environment.remove("JDK_JAVA_OPTIONS");
    }
  }

  /**
   * This JVM's flags that the daemon needs too (the Vector API module, native access, heap and
   * collector, the AOT cache it reads), without those that belong to this process alone: a debugger
   * or agent (its port is taken), the outputs of an AOT training run, a CDS dump, a flight
   * recording or a log file (the daemon must not overwrite them), and a flags file, whose lines
   * arrive as arguments of their own (which, not starting with '-', would become the main class).
   */
  static List<String> daemonFlags(List<String> inputArguments) {
    List<String> kept = new ArrayList<>();
    for (String a : inputArguments) {
      if (a.startsWith("-") && !belongsToThisProcess(a)) {
        kept.add(a);
      }
    }
    return kept;
  }

  /** {@code -Xlog:what:output...} with an output that is a file (not stdout or stderr). */
  private static boolean writesALog(String a) {
    if (!a.startsWith("-Xlog:")) {
      return false;
    }
    if (a.contains("file=")) {
      return true;
    }
    String[] parts = a.split(":", 4);
    return parts.length > 2 && !List.of("", "stdout", "stderr").contains(parts[2]);
  }

  /** Whether the JVM flag {@code a} is this process's alone (see {@link #daemonFlags}). */
  static boolean belongsToThisProcess(String a) {
    return a.startsWith("-agentlib:")
        || a.startsWith("-agentpath:")
        || a.startsWith("-javaagent:")
        || a.equals("-Xdebug")
        || a.startsWith("-Xrunjdwp")
        || a.startsWith("-XX:AOTCacheOutput=")
        || a.startsWith("-XX:AOTConfiguration=")
        || a.startsWith("-XX:AOTMode=record")
        || a.startsWith("-XX:AOTMode=create")
        || a.startsWith("-XX:ArchiveClassesAtExit=")
        || a.startsWith("-XX:DumpLoadedClassList=")
        || a.equals("-XX:+AutoCreateSharedArchive")
        || a.startsWith("-XX:Flags=")
        || a.startsWith("-XX:StartFlightRecording")
        || a.startsWith("-XX:FlightRecorderOptions")
        || writesALog(a)
        || a.startsWith("-Xloggc:")
        || a.startsWith("-Dsun.java.launcher");
  }
}
