package dev.cromwell.edit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * Replaces a file so that it is, at every instant and after any failure, either the old file or the
 * new one: write a temporary file in the same folder, fsync it, give it the old file's mode, group
 * and owner, check that the old file did not change since it was read, keep a backup, then rename
 * the temporary file over the old one.
 *
 * <p>Immediately before the rename the writer checks again, without following links: no part of the
 * path below the workspace root is a symbolic link, the folder is the one the file was read from
 * (same file key), the file is not read-only, and its bytes still hash to what was read. What
 * remains is the window between those checks and the rename system call itself (microseconds, no
 * model work in it): a process that swaps a folder or writes the file exactly then is not noticed.
 * Closing it would need renameat on a folder descriptor, which Java's file API does not expose.
 */
public final class AtomicWriter {
  /** A hook called before each step; tests throw from it to inject failures. */
  @FunctionalInterface
  public interface Steps {
    void before(String step) throws IOException;

    Steps NONE = step -> {};
  }

  /**
   * What a write may do.
   *
   * @param force replace read-only files too
   * @param backupsPerFile how many backups of one file are kept
   * @param backupBytes the most bytes all backups may take together
   */
  public record Options(boolean force, int backupsPerFile, long backupBytes) {
    public static final int DEFAULT_BACKUPS_PER_FILE = 10;
    public static final long DEFAULT_BACKUP_BYTES = 100L * 1024 * 1024;
    public static final Options DEFAULT =
        new Options(false, DEFAULT_BACKUPS_PER_FILE, DEFAULT_BACKUP_BYTES);

    public Options {
      if (backupsPerFile < 1) {
        throw new IllegalArgumentException(
            "backups kept per file (--keep-backups) must be at least 1 (got "
                + backupsPerFile
                + "); use --no-backup");
      }
      if (backupBytes < 1) {
        throw new IllegalArgumentException(
            "the backup size cap (--backup-max-mb) must be positive (got "
                + backupBytes
                + "); use --no-backup");
      }
    }
  }

  public static final String WRITE = "write";
  public static final String FSYNC = "fsync";
  public static final String PERMISSIONS = "permissions";
  public static final String CHECK = "check";
  public static final String BACKUP = "backup";
  public static final String RENAME = "rename";

  /** Temporary files older than this are leftovers of a run that was killed. */
  static final Duration STALE = Duration.ofMinutes(1);

  private static final String TMP_SUFFIX = ".cromwell-tmp";

  private final Steps steps;
  private final Options options;

  public AtomicWriter(Steps steps) {
    this(steps, Options.DEFAULT);
  }

  public AtomicWriter(Steps steps, Options options) {
    this.steps = steps;
    this.options = options;
  }

  /**
   * Writes {@code bytes} over {@code original.path()}.
   *
   * @param workspaceRoot the folder nothing may be written outside of (null: the file's folder)
   * @param backupRoot where backups go ({@code <root>/.cromwell/backups/…}), or null for none
   * @return the backup's path, or null
   */
  public Path replace(TextFile original, byte[] bytes, Path workspaceRoot, Path backupRoot)
      throws IOException {
    Path target = original.path().toAbsolutePath().normalize();
    Path folder = target.getParent();
    Path realRoot = (workspaceRoot != null ? workspaceRoot : folder).toRealPath();
    requireSamePlace(original, target, realRoot);
    requireWritable(target);
    Backups backups =
        backupRoot == null
            ? null
            : new Backups(
                realRoot,
                backupRoot.toAbsolutePath().normalize(),
                options.backupsPerFile(),
                options.backupBytes());
    if (backups != null) {
      backups.requireInside();
    }
    removeStaleTemporaries(folder, target.getFileName().toString());
    Path temporary = Files.createTempFile(folder, "." + target.getFileName() + ".", TMP_SUFFIX);
    Path backup = null;
    try {
      steps.before(WRITE);
      try (FileChannel channel =
          FileChannel.open(
              temporary, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        steps.before(FSYNC);
        channel.force(true);
      }
      steps.before(PERMISSIONS);
      copyPermissions(target, temporary);
      steps.before(CHECK);
      requireUnchanged(original, target);
      if (backups != null) {
        steps.before(BACKUP);
        backup = backups.keep(target);
      }
      steps.before(RENAME);
      // The last checks, as close to the rename as Java allows (see the class comment).
      requireSamePlace(original, target, realRoot);
      requireWritable(target);
      requireUnchanged(original, target);
      try {
        Files.move(
            temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException(
            target
                + ": this file system cannot replace files atomically; refusing a non-atomic write",
            e);
      }
      return backup;
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  /** The path holds no link below the root and its folder is still the one the file was read in. */
  private static void requireSamePlace(TextFile original, Path target, Path realRoot)
      throws IOException {
    WorkspacePaths.requireNoLinks(realRoot, target, "the file");
    if (!Objects.equals(TextFile.folderKey(target), original.folderKey())) {
      throw new IOException(
          target.getParent()
              + " was moved or replaced since "
              + target.getFileName()
              + " was read; refusing to write (run the edit again)");
    }
  }

  private static void requireUnchanged(TextFile original, Path target) throws IOException {
    String now = TextFile.hash(Files.readAllBytes(target));
    if (!now.equals(original.hash())) {
      throw new IOException(
          target
              + " changed on disk since it was read; refusing to overwrite it (run the edit again)");
    }
  }

  private void requireWritable(Path target) throws IOException {
    requireWritable(target, options);
  }

  /**
   * Refuses a read-only file unless {@code options} force it; front doors call it before the model
   * runs, and {@link #replace} again at the rename.
   */
  public static void requireWritable(Path target, Options options) throws IOException {
    if (!options.force() && readOnly(target)) {
      throw new IOException(
          target + " is read-only; refusing to replace it (use --force to write it anyway)");
    }
  }

  /**
   * No write permission bit is set, or the process may not write it. The bits are read because
   * {@link Files#isWritable} says yes to root for every file.
   */
  static boolean readOnly(Path file) throws IOException {
    PosixFileAttributeView view =
        Files.getFileAttributeView(file, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    if (view != null) {
      Set<PosixFilePermission> p = view.readAttributes().permissions();
      if (!p.contains(PosixFilePermission.OWNER_WRITE)
          && !p.contains(PosixFilePermission.GROUP_WRITE)
          && !p.contains(PosixFilePermission.OTHERS_WRITE)) {
        return true;
      }
    }
    return !Files.isWritable(file);
  }

  /**
   * Deletes {@code .NAME.<random>.cromwell-tmp} files that a killed run left next to the file (they
   * hold a full copy of an unapplied edit). Young ones may belong to a write still running.
   */
  static void removeStaleTemporaries(Path folder, String name) throws IOException {
    String prefix = "." + name + ".";
    Instant before = Instant.now().minus(STALE);
    DirectoryStream.Filter<Path> ours =
        p -> {
          String n = p.getFileName().toString();
          return n.startsWith(prefix)
              && n.endsWith(TMP_SUFFIX)
              && n.length() > prefix.length() + TMP_SUFFIX.length();
        };
    try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(folder, ours)) {
      for (Path p : leftovers) {
        BasicFileAttributes a =
            Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isRegularFile() && a.lastModifiedTime().toInstant().isBefore(before)) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /**
   * Gives the temporary file the old file's mode, group and (where the process may, i.e. as root)
   * owner, so that the rename changes the text and nothing else. A group that cannot be kept is
   * refused: the new file would otherwise give the old group's access to another group.
   */
  private static void copyPermissions(Path from, Path to) throws IOException {
    PosixFileAttributeView source =
        Files.getFileAttributeView(from, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    if (source == null) {
      return;
    }
    PosixFileAttributes old = source.readAttributes();
    PosixFileAttributeView copy =
        Files.getFileAttributeView(to, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    PosixFileAttributes now = copy.readAttributes();
    if (!old.owner().equals(now.owner())) {
      try {
        copy.setOwner(old.owner());
      } catch (IOException notRoot) {
        // Only root may give a file away; the writer becomes its owner, as with any editor.
      }
    }
    if (!old.group().equals(now.group())) {
      try {
        copy.setGroup(old.group());
      } catch (IOException e) {
        throw new IOException(
            from
                + " belongs to group "
                + old.group().getName()
                + ", which this user cannot give the rewritten file; refusing to replace it (run"
                + " as a member of that group)",
            e);
      }
    }
    // After chown, which may clear set-id bits.
    copy.setPermissions(old.permissions());
  }
}
