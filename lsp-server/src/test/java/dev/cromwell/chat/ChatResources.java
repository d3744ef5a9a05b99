package dev.cromwell.chat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The test resources under {@code chat/}: the catalogue models' templates and renderings. */
public final class ChatResources {
  private ChatResources() {}

  public static String read(String name) {
    try (InputStream in = ChatResources.class.getResourceAsStream("/chat/" + name)) {
      if (in == null) {
        throw new AssertionError("missing test resource chat/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
