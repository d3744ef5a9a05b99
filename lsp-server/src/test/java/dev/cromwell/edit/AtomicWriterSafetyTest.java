package dev.cromwell.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, findings 6 and 7: links, swapped folders, read-only files, leftovers, backups, and the
 * group and mode of a replaced file.
 */
class AtomicWriterSafetyTest {
  @TempDir Path dir;

  private Path root() throws IOException {
    return Files.createDirectories(dir.resolve("ws")).toRealPath();
  }

  @Test
  void aSubFolderSwappedForALinkWhileTheModelRanIsRefused() throws IOException {
    Path root = root();
    Path sub = Files.createDirectories(root.resolve("sub"));
    Path file = Files.writeString(sub.resolve("f.py"), "x = 1\n");
    TextFile original = TextFile.read(file);
    // During generation: the folder moves away and a link to a folder outside takes its place,
    // holding a file with the same bytes (so the hash check alone passes).
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.writeString(outside.resolve("f.py"), "x = 1\n");
    Files.move(sub, root.resolve("sub-moved"));
    Files.createSymbolicLink(sub, outside);
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                new AtomicWriter(AtomicWriter.Steps.NONE)
                    .replace(original, original.encode("x = 2\n"), root, null));
    assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
    assertEquals("x = 1\n", Files.readString(outside.resolve("f.py")), "nothing written outside");
    assertEquals(List.of("f.py"), names(outside), "no temporary file outside either");
  }

  @Test
  void aSubFolderSwappedJustBeforeTheRenameIsRefused() throws IOException {
    Path root = root();
    Path sub = Files.createDirectories(root.resolve("sub"));
    Path file = Files.writeString(sub.resolve("f.py"), "x = 1\n");
    TextFile original = TextFile.read(file);
    AtomicWriter writer =
        new AtomicWriter(
            step -> {
              if (step.equals(AtomicWriter.RENAME)) {
                // A real folder this time, not a link: only the folder's file key tells.
                Files.move(sub, root.resolve("sub-moved"));
                Files.createDirectories(sub);
                Files.writeString(sub.resolve("f.py"), "x = 1\n");
              }
            });
    IOException e =
        assertThrows(
            IOException.class,
            () -> writer.replace(original, original.encode("x = 2\n"), root, null));
    assertTrue(e.getMessage().contains("was moved or replaced"), e.getMessage());
    assertEquals("x = 1\n", Files.readString(sub.resolve("f.py")));
    assertEquals("x = 1\n", Files.readString(root.resolve("sub-moved/f.py")));
  }

  @Test
  void aCromwellFolderThatIsALinkOrLeadsOutsideIsRefused() throws IOException {
    Path root = root();
    Path outside = Files.createDirectories(dir.resolve("elsewhere"));
    Path file = Files.writeString(root.resolve("f.py"), "x = 1\n");
    Files.createSymbolicLink(root.resolve(".cromwell"), outside);
    TextFile original = TextFile.read(file);
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                new AtomicWriter(AtomicWriter.Steps.NONE)
                    .replace(
                        original,
                        original.encode("x = 2\n"),
                        root,
                        root.resolve(".cromwell/backups")));
    assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
    assertEquals(List.of(), names(outside), "no backup outside the workspace");
    assertEquals("x = 1\n", Files.readString(file), "and the file is unchanged");

    // A real .cromwell whose backups folder is a link out is refused the same way.
    Files.delete(root.resolve(".cromwell"));
    Files.createDirectories(root.resolve(".cromwell"));
    Files.createSymbolicLink(root.resolve(".cromwell/backups"), outside);
    assertThrows(
        IOException.class,
        () ->
            new AtomicWriter(AtomicWriter.Steps.NONE)
                .replace(
                    original, original.encode("x = 2\n"), root, root.resolve(".cromwell/backups")));
    assertEquals(List.of(), names(outside));
  }

  @Test
  void aReadOnlyFileIsRefusedUnlessForced() throws IOException {
    Path root = root();
    Path file = Files.writeString(root.resolve("ro.py"), "x = 1\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
    TextFile original = TextFile.read(file);
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                new AtomicWriter(AtomicWriter.Steps.NONE)
                    .replace(original, original.encode("x = 2\n"), root, null));
    assertTrue(e.getMessage().contains("read-only") && e.getMessage().contains("--force"));
    assertEquals("x = 1\n", Files.readString(file));

    new AtomicWriter(
            AtomicWriter.Steps.NONE,
            new AtomicWriter.Options(
                true,
                AtomicWriter.Options.DEFAULT_BACKUPS_PER_FILE,
                AtomicWriter.Options.DEFAULT_BACKUP_BYTES))
        .replace(original, original.encode("x = 2\n"), root, null);
    assertEquals("x = 2\n", Files.readString(file));
    assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
  }

  @Test
  void staleTemporaryFilesOfKilledRunsAreRemoved() throws IOException {
    Path root = root();
    Path file = Files.writeString(root.resolve("f.py"), "x = 1\n");
    FileTime anHourAgo = FileTime.from(Instant.now().minusSeconds(3600));
    Path stale1 = Files.writeString(root.resolve(".f.py.123456.cromwell-tmp"), "x = 9\n");
    Path stale2 = Files.writeString(root.resolve(".f.py.987654321.cromwell-tmp"), "x = 8\n");
    Files.setLastModifiedTime(stale1, anHourAgo);
    Files.setLastModifiedTime(stale2, anHourAgo);
    // A young one may be a write still running; another file's temporary is not ours.
    Path young = Files.writeString(root.resolve(".f.py.555.cromwell-tmp"), "x = 7\n");
    Path other = Files.writeString(root.resolve(".g.py.1.cromwell-tmp"), "y\n");
    Files.setLastModifiedTime(other, anHourAgo);
    TextFile original = TextFile.read(file);
    new AtomicWriter(AtomicWriter.Steps.NONE)
        .replace(original, original.encode("x = 2\n"), root, null);
    assertEquals("x = 2\n", Files.readString(file));
    assertFalse(Files.exists(stale1));
    assertFalse(Files.exists(stale2));
    assertTrue(Files.exists(young));
    assertTrue(Files.exists(other));
  }

  @Test
  void backupsKeepTheLastNPerFileAndStayUnderTheSizeCap() throws IOException {
    Path root = root();
    Path backups = Files.createDirectories(root.resolve(".cromwell/backups"));
    Path file = Files.writeString(root.resolve("f.py"), "x = 1\n");
    for (int i = 0; i < 12; i++) {
      Files.writeString(backups.resolve("f.py.20200101-000000-0" + (10 + i)), "old " + i + "\n");
    }
    Path sub = Files.createDirectories(backups.resolve("sub"));
    Path big = sub.resolve("g.py.20190101-000000-000");
    Files.write(big, new byte[3000]);
    Path unrelated = Files.writeString(backups.resolve("f.py.notes"), "kept\n");
    TextFile original = TextFile.read(file);
    Path backup =
        new AtomicWriter(AtomicWriter.Steps.NONE, new AtomicWriter.Options(false, 5, 2000))
            .replace(original, original.encode("x = 2\n"), root, backups);
    assertEquals("x = 1\n", Files.readString(backup));
    List<String> kept;
    try (Stream<Path> files = Files.list(backups)) {
      kept =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.startsWith("f.py.20"))
              .sorted()
              .toList();
    }
    assertEquals(5, kept.size(), kept.toString());
    assertEquals(backup.getFileName().toString(), kept.getLast(), "the newest is kept");
    assertEquals("f.py.20200101-000000-018", kept.getFirst(), "the oldest went first");
    assertFalse(Files.exists(big), "over the size cap, the oldest backup of any file goes");
    assertTrue(Files.exists(unrelated), "files that are not backups are left alone");
  }

  @Test
  void aWriteBetweenTheFirstCheckAndTheRenameIsNotLost() throws IOException {
    Path root = root();
    Path file = Files.writeString(root.resolve("f.py"), "x = 1\n");
    TextFile original = TextFile.read(file);
    AtomicWriter writer =
        new AtomicWriter(
            step -> {
              if (step.equals(AtomicWriter.RENAME)) {
                Files.writeString(file, "x = 1  # another process's write\n");
              }
            });
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                writer.replace(
                    original, original.encode("x = 2\n"), root, root.resolve(".cromwell/backups")));
    assertTrue(e.getMessage().contains("changed on disk"), e.getMessage());
    assertEquals("x = 1  # another process's write\n", Files.readString(file));
  }

  @Test
  void theGroupAndModeOfAReplacedFileAreKept() throws IOException {
    Path root = root();
    Path file = Files.writeString(root.resolve("shared.py"), "x = 1\n");
    PosixFileAttributeView view =
        Files.getFileAttributeView(file, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    GroupPrincipal other = giveAnotherGroup(view);
    view.setPermissions(PosixFilePermissions.fromString("rw-r-----"));
    UserPrincipal owner = view.getOwner();
    TextFile original = TextFile.read(file);

    new AtomicWriter(AtomicWriter.Steps.NONE)
        .replace(original, original.encode("x = 2\n"), root, root.resolve(".cromwell/backups"));

    PosixFileAttributes after =
        Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    assertEquals("x = 2\n", Files.readString(file));
    assertEquals(other, after.group(), "the group of the replaced file");
    assertEquals("rw-r-----", PosixFilePermissions.toString(after.permissions()));
    assertEquals(owner, after.owner());
  }

  /**
   * Gives the file a group other than the one new files get (root may choose any; another user one
   * of its supplementary groups), so that a rename that loses the group shows.
   */
  private static GroupPrincipal giveAnotherGroup(PosixFileAttributeView view) throws IOException {
    GroupPrincipal fresh = view.readAttributes().group();
    var groups = FileSystems.getDefault().getUserPrincipalLookupService();
    for (String name : List.of("daemon", "bin", "sys", "adm", "users", "staff", "nogroup")) {
      try {
        GroupPrincipal group = groups.lookupPrincipalByGroupName(name);
        if (!group.equals(fresh)) {
          view.setGroup(group);
          return group;
        }
      } catch (IOException notAllowedOrAbsent) {
        // try the next one
      }
    }
    throw new AssertionError(
        "this test needs a second group for a file: run it as root or as a member of daemon, bin,"
            + " sys, adm, users, staff or nogroup");
  }

  private static List<String> names(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
