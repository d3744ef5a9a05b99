package dev.cromwell.edit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Set;

/**
 * Replaces a file so that it is, at every instant and after any failure, either the old file or the
 * new one: write a temporary file in the same folder, fsync it, give it the old file's permissions,
 * check that the old file did not change since it was read, keep a backup, then rename the
 * temporary file over the old one.
 */
public final class AtomicWriter {
  /** A hook called before each step; tests throw from it to inject failures. */
  @FunctionalInterface
  public interface Steps {
    void before(String step) throws IOException;

    Steps NONE = step -> {};
  }

  public static final String WRITE = "write";
  public static final String FSYNC = "fsync";
  public static final String PERMISSIONS = "permissions";
  public static final String CHECK = "check";
  public static final String BACKUP = "backup";
  public static final String RENAME = "rename";

  private final Steps steps;

  public AtomicWriter(Steps steps) {
    this.steps = steps;
  }

  /**
   * Writes {@code bytes} over {@code original.path()}.
   *
   * @param backupRoot where backups go ({@code <root>/.cromwell/backups/…}), or null for none
   * @return the backup's path, or null
   */
  public Path replace(TextFile original, byte[] bytes, Path workspaceRoot, Path backupRoot)
      throws IOException {
    Path target = original.path();
    Path folder = target.toAbsolutePath().getParent();
    Path temporary =
        Files.createTempFile(folder, "." + target.getFileName() + ".", ".cromwell-tmp");
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
      String now = TextFile.hash(Files.readAllBytes(target));
      if (!now.equals(original.hash())) {
        throw new IOException(
            target
                + " changed on disk since it was read; refusing to overwrite it (run the edit again)");
      }
      if (backupRoot != null) {
        steps.before(BACKUP);
        backup = backupPath(backupRoot, workspaceRoot, target);
        Files.createDirectories(backup.getParent());
        Files.copy(target, backup, StandardCopyOption.COPY_ATTRIBUTES);
      }
      steps.before(RENAME);
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

  private static void copyPermissions(Path from, Path to) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(from, PosixFileAttributeView.class);
    if (view != null) {
      Set<PosixFilePermission> permissions = view.readAttributes().permissions();
      Files.setPosixFilePermissions(to, permissions);
    }
  }

  static Path backupPath(Path backupRoot, Path workspaceRoot, Path target) {
    Path relative =
        workspaceRoot != null && target.startsWith(workspaceRoot)
            ? workspaceRoot.relativize(target)
            : target.getFileName();
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS"));
    return backupRoot.resolve(relative.toString() + "." + stamp);
  }
}
