package dev.cromwell.edit;

import java.io.IOException;
import java.nio.file.Files;
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
}
