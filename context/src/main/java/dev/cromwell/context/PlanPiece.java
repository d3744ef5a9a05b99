package dev.cromwell.context;

/**
 * One piece of what the model will see.
 *
 * @param path workspace-relative path of the file it comes from
 * @param startLine first line, 0-based
 * @param endLine last line, 0-based, inclusive
 * @param score relevance score (1 for the target's own prefix and suffix)
 * @param reason why it was chosen, for people debugging a plan
 */
public record PlanPiece(
    Kind kind,
    String path,
    int startLine,
    int endLine,
    String text,
    int tokens,
    double score,
    String reason) {

  /** What a piece is. */
  public enum Kind {
    /** Text of the target before the cursor. */
    PREFIX,
    /** Text of the target after the cursor. */
    SUFFIX,
    /** A window of another file similar to the code around the cursor. */
    SNIPPET,
    /** A whole small related file. */
    FILE,
    /** The file being edited, with the region to change. */
    EDIT_FILE,
    /** The definition of a name the edited region uses. */
    DEFINITION
  }
}
