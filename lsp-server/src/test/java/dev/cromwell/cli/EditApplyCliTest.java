package dev.cromwell.cli;

import static dev.cromwell.cli.LimitsCliTest.refusedInOneLine;
import static dev.cromwell.cli.LimitsCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cromwell.engine.RealModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, finding 7 at the CLI: {@code edit --apply} refuses a read-only file unless {@code
 * --force} and a {@code .cromwell} that is a link, before the model runs, and refuses absurd backup
 * bounds in one line.
 */
@Timeout(120)
class EditApplyCliTest {
  @TempDir Path dir;

  @Test
  void aReadOnlyFileIsRefusedBeforeTheModelRuns() throws IOException {
    Path file = Files.writeString(dir.resolve("ro.py"), "x = 1\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
    LimitsCliTest.Run r =
        run(
            "edit",
            "-m",
            RealModels.smollm2().toString(),
            "--root",
            dir.toString(),
            "--apply",
            file + ":1",
            "set x to 2");
    refusedInOneLine(r, "read-only");
    refusedInOneLine(r, "--force");
    assertEquals("x = 1\n", Files.readString(file));
  }

  @Test
  void aCromwellFolderThatIsALinkIsRefusedBeforeTheModelRuns() throws IOException {
    Path ws = Files.createDirectories(dir.resolve("ws"));
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.createSymbolicLink(ws.resolve(".cromwell"), outside);
    Path file = Files.writeString(ws.resolve("f.py"), "x = 1\n");
    LimitsCliTest.Run r =
        run(
            "edit",
            "-m",
            RealModels.smollm2().toString(),
            "--root",
            ws.toString(),
            "--apply",
            file + ":1",
            "set x to 2");
    refusedInOneLine(r, "symbolic link");
    assertEquals("x = 1\n", Files.readString(file));
    try (var files = Files.list(outside)) {
      assertEquals(0, files.count(), "nothing written outside the workspace");
    }
  }

  @Test
  void backupBoundsMustBePositive() throws IOException {
    Path file = Files.writeString(dir.resolve("f.py"), "x = 1\n");
    String model = RealModels.smollm2().toString();
    String root = dir.toString();
    refusedInOneLine(
        run("edit", "-m", model, "--root", root, "--keep-backups", "0", file + ":1", "x"),
        "--keep-backups");
    refusedInOneLine(
        run("edit", "-m", model, "--root", root, "--backup-max-mb", "-1", file + ":1", "x"),
        "--backup-max-mb");
  }
}
