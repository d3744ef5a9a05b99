package dev.cromwell.edit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicWriterTest {
  @TempDir Path dir;

  static final List<String> STEPS =
      List.of(
          AtomicWriter.WRITE,
          AtomicWriter.FSYNC,
          AtomicWriter.PERMISSIONS,
          AtomicWriter.CHECK,
          AtomicWriter.BACKUP,
          AtomicWriter.RENAME);

  @Test
  void aFailureAtEveryStepLeavesTheOriginalIntactAndNoTemporaryFile() throws IOException {
    for (String failing : STEPS) {
      Path file = dir.resolve("f-" + failing + ".py");
      Files.writeString(file, "old\r\ncontent\r\n");
      TextFile original = TextFile.read(file);
      AtomicWriter writer =
          new AtomicWriter(
              step -> {
                if (step.equals(failing)) {
                  throw new IOException("injected failure at " + step);
                }
              });
      IOException e =
          assertThrows(
              IOException.class,
              () ->
                  writer.replace(
                      original,
                      original.encode("new\ncontent\n"),
                      dir,
                      dir.resolve(".cromwell/backups")));
      assertTrue(e.getMessage().contains(failing));
      assertEquals(
          "old\r\ncontent\r\n", Files.readString(file), "intact after a failure at " + failing);
      try (var files = Files.list(dir)) {
        assertTrue(
            files.noneMatch(p -> p.getFileName().toString().endsWith(".cromwell-tmp")),
            "no temporary file left");
      }
    }
  }

  @Test
  void successKeepsPermissionsLineEndingsEncodingAndABackup() throws IOException {
    Path file = dir.resolve("script.sh");
    byte[] latin1 = "echo caf\u00e9\r\n".getBytes(StandardCharsets.ISO_8859_1);
    Files.write(file, latin1);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-x---"));
    TextFile original = TextFile.read(file);
    assertEquals("ISO-8859-1", original.encoding());
    Path backup =
        new AtomicWriter(AtomicWriter.Steps.NONE)
            .replace(
                original,
                original.encode("echo caf\u00e9 cr\u00e8me\n"),
                dir,
                dir.resolve(".cromwell/backups"));
    assertArrayEquals(
        "echo caf\u00e9 cr\u00e8me\r\n".getBytes(StandardCharsets.ISO_8859_1),
        Files.readAllBytes(file));
    assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertArrayEquals(latin1, Files.readAllBytes(backup));
    assertTrue(backup.startsWith(dir.resolve(".cromwell/backups")));
  }

  @Test
  void aFileChangedOnDiskSinceItWasReadIsNotOverwritten() throws IOException {
    Path file = dir.resolve("x.py");
    Files.writeString(file, "a = 1\n");
    TextFile original = TextFile.read(file);
    Files.writeString(file, "a = 2  # someone else's change\n");
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                new AtomicWriter(AtomicWriter.Steps.NONE)
                    .replace(original, original.encode("a = 3\n"), dir, null));
    assertTrue(e.getMessage().contains("changed on disk"));
    assertEquals("a = 2  # someone else's change\n", Files.readString(file));
  }

  @Test
  void aProcessKilledBetweenWriteAndRenameLeavesTheOriginal() throws Exception {
    Path file = dir.resolve("killed.py");
    Files.writeString(file, "original\n");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                KillDuringWrite.class.getName(),
                file.toString())
            .redirectErrorStream(true)
            .start();
    assertTrue(child.waitFor(60, TimeUnit.SECONDS));
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(137, child.exitValue(), output);
    assertEquals("original\n", Files.readString(file), "never truncated, never half-written");
  }

  /** Child process: writes the new content, then dies just before the rename. */
  public static final class KillDuringWrite {
    public static void main(String[] args) throws IOException {
      Path file = Path.of(args[0]);
      TextFile original = TextFile.read(file);
      new AtomicWriter(
              step -> {
                if (step.equals(AtomicWriter.RENAME)) {
                  Runtime.getRuntime().halt(137);
                }
              })
          .replace(
              original,
              original.encode("replacement that must not appear\n"),
              file.getParent(),
              null);
    }
  }

  @Test
  void pathsOutsideTheWorkspaceAreRefused() throws IOException {
    Path root = Files.createDirectories(dir.resolve("ws"));
    Path outside = Files.writeString(dir.resolve("secret.txt"), "x");
    Files.writeString(root.resolve("ok.py"), "x");
    Files.createSymbolicLink(root.resolve("link.txt"), outside);
    assertEquals(root.resolve("ok.py").toRealPath(), WorkspacePaths.inside(root, Path.of("ok.py")));
    assertTrue(
        assertThrows(IOException.class, () -> WorkspacePaths.inside(root, Path.of("../secret.txt")))
            .getMessage()
            .contains("outside the workspace"));
    assertTrue(
        assertThrows(IOException.class, () -> WorkspacePaths.inside(root, Path.of("link.txt")))
            .getMessage()
            .contains("resolves to"));
  }
}
