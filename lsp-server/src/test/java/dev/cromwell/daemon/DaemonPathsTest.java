package dev.cromwell.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run folder: made private, checked when found, and never a symbolic link; a daemon's name. */
class DaemonPathsTest {
  @TempDir Path dir;

  private static DaemonPaths in(Path runDir) {
    return new DaemonPaths(
        runDir, runDir.resolve("s.sock"), runDir.resolve("s.lock"), runDir.resolve("s.log"));
  }

  @Test
  void aMissingRunFolderIsMadePrivateWithItsParents() throws IOException {
    Path run = dir.resolve("a/b/run");
    in(run).ensurePrivate();
    assertEquals(
        "rwx------",
        PosixFilePermissions.toString(
            Files.getPosixFilePermissions(run, LinkOption.NOFOLLOW_LINKS)));
    in(run).ensurePrivate(); // found: checked again, and private
  }

  @Test
  void aSymbolicLinkAsTheRunFolderIsRefused() throws IOException {
    Path target = Files.createDirectory(dir.resolve("elsewhere"));
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
    Path run = Files.createSymbolicLink(dir.resolve("run"), target);
    IOException e = assertThrows(IOException.class, () -> in(run).ensurePrivate());
    assertTrue(e.getMessage().contains("is a symbolic link"), e.getMessage());
  }

  @Test
  void aJavaJarDaemonsNameHoldsItsFlagsAndTheDaemonAnswersToTheNameItIsHanded() {
    var env = java.util.Map.of("CROMWELL_RUN_DIR", dir.toString());
    var big = java.util.List.of("--add-modules=jdk.incubator.vector", "-Xmx8g");
    var small = java.util.List.of("--add-modules=jdk.incubator.vector", "-Xmx2g");
    assertEquals(DaemonPaths.of(env, big).socket(), DaemonPaths.of(env, big).socket());
    assertNotEquals(DaemonPaths.of(env, big).socket(), DaemonPaths.of(env, small).socket());
    assertNotEquals(
        DaemonPaths.of(env, big).socket(),
        DaemonPaths.of(env, java.util.List.of("-Dcromwell.experiment=1", "-Xmx8g")).socket());
    // No flags by java -jar is not a launcher's daemon either.
    assertNotEquals(
        DaemonPaths.of(env).socket(), DaemonPaths.of(env, java.util.List.of()).socket());

    DaemonPaths session = DaemonPaths.of(env, big);
    var daemonEnv = new java.util.HashMap<>(env);
    daemonEnv.put(DaemonPaths.ID_VARIABLE, session.id().orElseThrow());
    assertEquals(session, DaemonPaths.forDaemon(daemonEnv));
    daemonEnv.put(DaemonPaths.ID_VARIABLE, "../../etc/passwd");
    assertEquals(DaemonPaths.of(env), DaemonPaths.forDaemon(daemonEnv));
    assertEquals(DaemonPaths.of(env), DaemonPaths.forDaemon(env));
  }
}
