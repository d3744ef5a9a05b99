package dev.cromwell.chat;

/**
 * The model's chat template refused the conversation ({@code raise_exception} in the template, for
 * example "roles must alternate"): the caller's input is wrong, not the template.
 */
public final class ChatTemplateException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public ChatTemplateException(String message) {
    super(message);
  }
}
