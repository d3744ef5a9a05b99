package dev.cromwell.chat;

/** One message of a conversation, as OpenAI's chat API and chat templates name it. */
public record ChatMessage(String role, String content) {
  public ChatMessage {
    if (role == null || role.isBlank()) {
      throw new IllegalArgumentException("a message has no role");
    }
    content = content == null ? "" : content;
  }

  public static ChatMessage system(String content) {
    return new ChatMessage("system", content);
  }

  public static ChatMessage user(String content) {
    return new ChatMessage("user", content);
  }

  public static ChatMessage assistant(String content) {
    return new ChatMessage("assistant", content);
  }
}
