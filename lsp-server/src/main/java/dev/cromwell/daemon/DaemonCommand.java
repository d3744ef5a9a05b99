package dev.cromwell.daemon;

import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The command line that starts the daemon ({@code cromwell lsp --daemon}): through the launcher
 * ({@code bin/cromwell}, named by {@code CROMWELL_LAUNCHER}) when there is one, else with the JVM
 * running this proxy, its flags and its jar, so that an editor that runs {@code java -jar
 * cromwell.jar lsp} (the VS Code extension, docs/EDITORS.md) gets a warm daemon too. The one place
 * that builds it.
 */
record DaemonCommand(List<String> command, String missing) {

  /** The JVM this proxy runs on: its java binary, its input arguments and the jar it came from. */
  record Jvm(Optional<String> java, List<String> inputArguments, Optional<Path> jar) {
    static Jvm current() {
      return new Jvm(
          ProcessHandle.current().info().command(),
          ManagementFactory.getRuntimeMXBean().getInputArguments(),
          jarOf(DaemonCommand.class));
    }

    /** The jar {@code type} was loaded from; nothing when it came from a folder (a build's). */
    static Optional<Path> jarOf(Class<?> type) {
      try {
        var source = type.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
          return Optional.empty();
        }
        Path p = Path.of(source.getLocation().toURI());
        return Files.isRegularFile(p) && p.toString().endsWith(".jar")
            ? Optional.of(p)
            : Optional.empty();
      } catch (URISyntaxException | RuntimeException e) {
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
    List<String> program = new ArrayList<>();
    String launcher = env.get("CROMWELL_LAUNCHER");
    if (launcher != null && !launcher.isBlank()) {
      if (!Files.isExecutable(Path.of(launcher))) {
        return new DaemonCommand(
            null, "CROMWELL_LAUNCHER " + launcher + " is not an executable file");
      }
      program.add(launcher);
    } else if (jvm.java().isEmpty()) {
      return new DaemonCommand(null, "the java binary running this process is unknown");
    } else if (jvm.jar().isEmpty()) {
      return new DaemonCommand(
          null, "this process was not started from cromwell.jar (java -jar) nor by bin/cromwell");
    } else {
      program.add(jvm.java().get());
      program.addAll(daemonFlags(jvm.inputArguments()));
      program.add("-jar");
      program.add(jvm.jar().get().toString());
    }
    program.add("lsp");
    program.add("--daemon");
    String idle = env.get("CROMWELL_DAEMON_IDLE_S");
    if (idle != null && !idle.isBlank()) {
      program.add("--idle-timeout-s");
      program.add(idle.trim());
    }
    return new DaemonCommand(List.copyOf(program), null);
  }

  /**
   * This JVM's flags that the daemon needs too (the Vector API module, native access, heap and
   * collector, the AOT cache it reads), without those that belong to this process alone: a debugger
   * or agent (its port is taken), and the outputs of an AOT training run or a CDS dump (the daemon
   * must not overwrite them).
   */
  static List<String> daemonFlags(List<String> inputArguments) {
    List<String> kept = new ArrayList<>();
    for (String a : inputArguments) {
      if (a.startsWith("-agentlib:")
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
          || a.startsWith("-Dsun.java.launcher")) {
        continue;
      }
      kept.add(a);
    }
    return kept;
  }
}
