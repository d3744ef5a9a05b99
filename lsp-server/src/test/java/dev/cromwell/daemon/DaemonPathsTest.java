package dev.cromwell.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run folder: made private, checked when found, and never a symbolic link. */
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
}
