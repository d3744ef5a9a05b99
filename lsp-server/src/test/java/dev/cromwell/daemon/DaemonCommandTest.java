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

  @Test
  void withoutALauncherTheDaemonRunsOnThisJvmWithItsFlagsAndJar() {
    Path jar = dir.resolve("cromwell.jar");
    DaemonCommand c =
        DaemonCommand.of(
            Map.of("CROMWELL_DAEMON_IDLE_S", "60"),
            new DaemonCommand.Jvm(Optional.of("/jdk/bin/java"), FLAGS, Optional.of(jar)));
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
    Path launcher = dir.resolve("cromwell");
    Files.writeString(launcher, "#!/bin/sh\n");
    assertTrue(launcher.toFile().setExecutable(true));
    DaemonCommand c =
        DaemonCommand.of(
            Map.of("CROMWELL_LAUNCHER", launcher.toString()),
            new DaemonCommand.Jvm(Optional.of("/jdk/bin/java"), FLAGS, Optional.empty()));
    assertEquals(List.of(launcher.toString(), "lsp", "--daemon"), c.command());
  }

  @Test
  void withNeitherALauncherNorAJarNoDaemonIsStartedAndTheReasonIsSaid() {
    DaemonCommand fromClasses =
        DaemonCommand.of(
            Map.of(), new DaemonCommand.Jvm(Optional.of("/jdk/bin/java"), FLAGS, Optional.empty()));
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
            Map.of("CROMWELL_LAUNCHER", dir.resolve("none").toString()),
            new DaemonCommand.Jvm(Optional.of("/jdk/bin/java"), FLAGS, Optional.empty()));
    assertFalse(badLauncher.startable());
    assertTrue(badLauncher.missing().contains("not an executable"), badLauncher.missing());
  }

  @Test
  void theJarOfAClassFromAFolderIsNone() {
    // The test class path holds target/classes, not a jar.
    assertEquals(Optional.empty(), DaemonCommand.Jvm.jarOf(DaemonCommand.class));
  }
}
