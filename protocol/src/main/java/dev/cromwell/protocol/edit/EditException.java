package dev.cromwell.protocol.edit;

/** An edit that cannot be applied, with the reason in words a user can act on. */
public final class EditException extends Exception {
  private static final long serialVersionUID = 1L;

  public EditException(String reason) {
    super(reason);
  }
}
