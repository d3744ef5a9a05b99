package dev.cromwell.engine.model;

import java.nio.file.Path;

/**
 * The mapped model file was truncated or rewritten while in use: reading its weights faulted (the
 * JVM reports that as an {@link InternalError} from the memory access). The model cannot be used
 * any more; it must be loaded again.
 */
public final class ModelFileChangedException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public ModelFileChangedException(Path file, Throwable cause) {
    super(
        file
            + ": the model file changed on disk while in use (truncated or rewritten); load it"
            + " again",
        cause);
  }
}
