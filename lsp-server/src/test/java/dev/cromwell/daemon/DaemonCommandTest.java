package dev.cromwell.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's command line: the launcher when there is one, else this JVM with the flags the
 * daemon needs (never a debugger's or an AOT training run's) and its jar; nothing, with the reason,
 * when neither is known.
 */
class DaemonCommandTest {
  @TempDir Path dir;

  private static final List<String> FLAGS =
      List.of(
          "--add-modules=jdk.incubator.vector",
          "--enable-native-access=ALL-UNNAMED",
          "-XX:+UseParallelGC",
          "-Xmx2g",
          "-XX:AOTCache=/opt/cromwell/cromwell.aot",
          "-agentlib:jdwp=transport=dt_socket,server=y,address=5005",
          "-javaagent:/tmp/coverage.jar",
          "-XX:AOTCacheOutput=/tmp/training.aot",
          "-XX:AOTMode=record",
          "-XX:AOTConfiguration=/tmp/training.conf");

  /** This JVM as the tests pretend it is: a java binary, {@link #FLAGS} and {@code jar}. */
  private static DaemonCommand.Jvm jvm(Optional<Path> jar) {
    return new DaemonCommand.Jvm(Optional.of("/jdk/bin/java"), FLAGS, jar);
  }

  /** A launcher script in the test's folder: only its being executable matters. */
  private Path executableLauncher() throws Exception {
    Path launcher = dir.resolve("cromwell");
    Files.writeString(launcher, "#!/bin/sh\n");
    assertTrue(launcher.toFile().setExecutable(true));
    return launcher;
  }

  @Test
  void withoutALauncherTheDaemonRunsOnThisJvmWithItsFlagsAndJar() {
    Path jar = dir.resolve("cromwell.jar");
    DaemonCommand c =
        DaemonCommand.of(Map.of("CROMWELL_DAEMON_IDLE_S", "60"), jvm(Optional.of(jar)));
    assertTrue(c.startable(), c.missing());
    assertEquals(
        List.of(
            "/jdk/bin/java",
            "--add-modules=jdk.incubator.vector",
            "--enable-native-access=ALL-UNNAMED",
            "-XX:+UseParallelGC",
            "-Xmx2g",
            "-XX:AOTCache=/opt/cromwell/cromwell.aot",
            "-jar",
            jar.toString(),
            "lsp",
            "--daemon",
            "--idle-timeout-s",
            "60"),
        c.command());
  }

  @Test
  void aLauncherIsUsedAsItIs() throws Exception {
    Path launcher = executableLauncher();
    DaemonCommand c =
        DaemonCommand.of(Map.of("CROMWELL_LAUNCHER", launcher.toString()), jvm(Optional.empty()));
    assertEquals(List.of(launcher.toString(), "lsp", "--daemon"), c.command());
  }

  @Test
  void withNeitherALauncherNorAJarNoDaemonIsStartedAndTheReasonIsSaid() {
    DaemonCommand fromClasses = DaemonCommand.of(Map.of(), jvm(Optional.empty()));
    assertFalse(fromClasses.startable());
    assertTrue(
        fromClasses.missing().contains("not started from cromwell.jar"), fromClasses.missing());
    DaemonCommand noJava =
        DaemonCommand.of(
            Map.of(),
            new DaemonCommand.Jvm(Optional.empty(), FLAGS, Optional.of(dir.resolve("c.jar"))));
    assertFalse(noJava.startable());
    assertTrue(noJava.missing().contains("java binary"), noJava.missing());
    DaemonCommand badLauncher =
        DaemonCommand.of(
            Map.of("CROMWELL_LAUNCHER", dir.resolve("none").toString()), jvm(Optional.empty()));
    assertFalse(badLauncher.startable());
    assertTrue(badLauncher.missing().contains("not an executable"), badLauncher.missing());
  }

  @Test
  void theJarOfAClassFromAFolderIsNone() {
    // The test class path holds target/classes, not a jar.
    assertEquals(Optional.empty(), DaemonCommand.Jvm.jarOf(DaemonCommand.class));
  }

  @Test
  void flagsOfThisProcessAloneNeverReachTheDaemon() {
    List<String> own =
        List.of(
            "-Xdebug",
            "-Xrunjdwp:transport=dt_socket,server=y,address=5006",
            "-agentpath:/opt/profiler/libagent.so=port=8849",
            "-XX:ArchiveClassesAtExit=/tmp/app.jsa",
            "-XX:DumpLoadedClassList=/tmp/classes.lst",
            "-XX:+AutoCreateSharedArchive",
            "-XX:Flags=/tmp/flags.txt",
            "-XX:StartFlightRecording=filename=/tmp/rec.jfr",
            "-XX:FlightRecorderOptions=repository=/tmp/jfr",
            "-Xlog:gc:file=/tmp/gc.log",
            "-Xlog:gc*:/tmp/gc2.log:time",
            "-Xloggc:/tmp/gc3.log",
            "+UseSerialGC", // a line of the -XX:Flags file: never the daemon's main class
            "jdk.incubator.vector");
    for (String flag : own) {
      assertEquals(List.of("-Xmx1g"), DaemonCommand.daemonFlags(List.of(flag, "-Xmx1g")), flag);
    }
    // Logging to the terminal is no file of this process's.
    assertEquals(
        List.of("-Xlog:gc", "-Xlog:gc:stderr"),
        DaemonCommand.daemonFlags(List.of("-Xlog:gc", "-Xlog:gc:stderr")));
  }

  @Test
  void withALauncherThisJvmIsNotRead() throws Exception {
    Path launcher = executableLauncher();
    DaemonCommand c =
        DaemonCommand.of(
            Map.of("CROMWELL_LAUNCHER", launcher.toString()),
            () -> {
              throw new AssertionError("the JVM was read on the launcher's path");
            });
    assertTrue(c.startable(), c.missing());
  }

  @Test
  void aJavaJarDaemonGetsNoJavaOptionVariablesAndItsName() {
    Path jar = dir.resolve("cromwell.jar");
    DaemonPaths paths = DaemonPaths.of(Map.of("CROMWELL_RUN_DIR", dir.toString()), FLAGS);
    Map<String, String> environment = new java.util.HashMap<>();
    environment.put("JAVA_TOOL_OPTIONS", "-agentlib:jdwp=transport=dt_socket,address=5005");
    environment.put("JDK_JAVA_OPTIONS", "-Xmx1g");
    environment.put("CROMWELL_AOT_OUTPUT", "/tmp/x.aot");
    environment.put("HOME", "/home/me");
    DaemonCommand.of(Map.of(), jvm(Optional.of(jar))).adjust(environment, paths);
    assertEquals(
        Map.of("HOME", "/home/me", DaemonPaths.ID_VARIABLE, paths.id().orElseThrow()), environment);
  }

  @Test
  void aLaunchersDaemonKeepsTheJavaOptionVariables() throws Exception {
    Path launcher = executableLauncher();
    Map<String, String> environment = new java.util.HashMap<>();
    environment.put("JAVA_TOOL_OPTIONS", "-Xmx1g");
    DaemonCommand.of(Map.of("CROMWELL_LAUNCHER", launcher.toString()), jvm(Optional.empty()))
        .adjust(environment, DaemonPaths.of(Map.of("CROMWELL_RUN_DIR", dir.toString())));
    assertEquals("-Xmx1g", environment.get("JAVA_TOOL_OPTIONS"));
  }

  /** Loaded from a jar by a loader of its own in {@link #theJarOfAClassStartedByJavaJarIsFound}. */
  static final class Marker {}

  @Test
  void theJarOfAClassStartedByJavaJarIsFound() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("my tools %20 here"));
    Path jar = folder.resolve("cromwell.jar");
    String entry = Marker.class.getName().replace('.', '/') + ".class";
    try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar));
        var in = Marker.class.getClassLoader().getResourceAsStream(entry)) {
      out.putNextEntry(new java.util.jar.JarEntry(entry));
      in.transferTo(out);
      out.closeEntry();
    }
    try (var loader =
        new java.net.URLClassLoader(
            new java.net.URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
      Class<?> fromJar = loader.loadClass(Marker.class.getName());
      assertEquals(Optional.of(jar), DaemonCommand.Jvm.jarOf(fromJar, jar.toString()));
      // On a class path (a thin jar without a Main-Class), or beside other entries: not -jar.
      Path other = Files.createFile(folder.resolve("other.jar"));
      assertEquals(Optional.empty(), DaemonCommand.Jvm.jarOf(fromJar, other.toString()));
      assertEquals(
          Optional.empty(),
          DaemonCommand.Jvm.jarOf(fromJar, jar + java.io.File.pathSeparator + other));
    }
  }
}
