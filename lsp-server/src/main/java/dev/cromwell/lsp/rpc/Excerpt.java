package dev.cromwell.lsp.rpc;

/** The start of untrusted text for a log line: short, one line, control characters escaped. */
final class Excerpt {
  static final int LENGTH = 120;

  private Excerpt() {}

  static String of(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length() && out.length() < LENGTH; i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\x%02x", (int) c));
      } else {
        out.append(c);
      }
    }
    return text.length() > LENGTH || out.length() >= LENGTH ? out + "…" : out.toString();
  }
}
