package dev.cromwell.edit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Keeps file operations inside the workspace: ".." and symbolic links cannot lead out of it. */
public final class WorkspacePaths {
  private WorkspacePaths() {}

  /** The real path of {@code file}, which must exist inside {@code root}. */
  public static Path inside(Path root, Path file) throws IOException {
    Path realRoot = root.toRealPath();
    Path absolute = (file.isAbsolute() ? file : root.resolve(file)).normalize();
    if (!Files.exists(absolute)) {
      throw new IOException(file + ": file not found");
    }
    Path real = absolute.toRealPath();
    if (!real.startsWith(realRoot)) {
      throw new IOException(
          file
              + " is outside the workspace "
              + realRoot
              + (real.equals(absolute) ? "" : " (it resolves to " + real + ")")
              + "; refusing to edit it");
    }
    if (!Files.isRegularFile(real)) {
      throw new IOException(file + " is not a regular file");
    }
    return real;
  }

  /**
   * Refuses {@code path} unless it lies below the real folder {@code realRoot} and no existing part
   * of it below the root is a symbolic link. Links are not followed, so a folder swapped for a link
   * after {@link #inside} resolved the path is caught here, at the moment of writing.
   *
   * @param what how the path is named in the message ("the backup folder")
   */
  public static void requireNoLinks(Path realRoot, Path path, String what) throws IOException {
    Path normal = path.toAbsolutePath().normalize();
    if (!normal.startsWith(realRoot)) {
      throw new IOException(
          what + " " + path + " is outside the workspace " + realRoot + "; refusing to write");
    }
    Path current = realRoot;
    for (Path name : realRoot.relativize(normal)) {
      current = current.resolve(name);
      if (Files.isSymbolicLink(current)) {
        throw new IOException(
            what
                + " "
                + path
                + ": "
                + current
                + " is a symbolic link (it could lead outside the workspace); refusing to write");
      }
      if (!Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
        return;
      }
    }
  }
}
