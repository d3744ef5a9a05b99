package dev.cromwell.engine.gguf;

import java.nio.file.Path;

/**
 * A GGUF file that cannot be read: truncated, corrupt or of an unsupported kind. The message names
 * the file, the field and the byte offset, so that a user can tell a broken download from a bug.
 */
public final class GgufFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final String field;
  private final long offset;

  public GgufFormatException(Path file, String field, long offset, String reason) {
    super(file + ": " + field + " at byte " + offset + ": " + reason);
    this.file = file;
    this.field = field;
    this.offset = offset;
  }

  public Path file() {
    return file;
  }

  public String field() {
    return field;
  }

  public long offset() {
    return offset;
  }
}
