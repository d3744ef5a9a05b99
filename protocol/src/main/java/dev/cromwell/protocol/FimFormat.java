package dev.cromwell.protocol;

import java.util.List;
import java.util.function.Predicate;

/**
 * Fill-in-the-middle prompt formats of code models, detected from the special tokens in the
 * vocabulary. Each renders related snippets, the prefix and the suffix in prefix-suffix-middle
 * order with snippets first, so that the start of the prompt stays the same while the user types
 * (the KV cache keeps it).
 */
public enum FimFormat {
  /** Qwen2.5-Coder; also Cromwell's own models. */
  QWEN(
      "<|fim_prefix|>",
      "<|fim_suffix|>",
      "<|fim_middle|>",
      "<|file_sep|>",
      List.of("<|fim_pad|>", "<|endoftext|>", "<|file_sep|>", "<|repo_name|>")),
  /** StarCoder and StarCoder2. */
  STARCODER(
      "<fim_prefix>",
      "<fim_suffix>",
      "<fim_middle>",
      "<file_sep>",
      List.of("<|endoftext|>", "<file_sep>", "<fim_prefix>")),
  /** CodeLlama (the GGUF tokens are written without the SentencePiece space). */
  CODELLAMA("<PRE>", "<SUF>", "<MID>", null, List.of("<EOT>")),
  /** DeepSeek-Coder. */
  DEEPSEEK(
      "<\uff5cfim\u2581begin\uff5c>",
      "<\uff5cfim\u2581hole\uff5c>",
      "<\uff5cfim\u2581end\uff5c>",
      null,
      List.of("<|EOT|>", "<\uff5cend\u2581of\u2581sentence\uff5c>")),
  /** No FIM tokens: the model only sees the prefix and continues it. */
  PREFIX_ONLY(null, null, null, null, List.of());

  private final String prefix;
  private final String suffix;
  private final String middle;
  private final String fileSeparator;
  private final List<String> stops;

  FimFormat(String prefix, String suffix, String middle, String fileSeparator, List<String> stops) {
    this.prefix = prefix;
    this.suffix = suffix;
    this.middle = middle;
    this.fileSeparator = fileSeparator;
    this.stops = stops;
  }

  /** A snippet of another file to show the model, with its workspace-relative path. */
  public record Snippet(String path, String text) {}

  /** The first format whose three FIM tokens are all in the vocabulary. */
  public static FimFormat detect(Predicate<String> hasToken) {
    for (FimFormat f : values()) {
      if (f.prefix != null
          && hasToken.test(f.prefix)
          && hasToken.test(f.suffix)
          && hasToken.test(f.middle)) {
        return f;
      }
    }
    return PREFIX_ONLY;
  }

  /** Special tokens (as texts) that end a completion in this format. */
  public List<String> stopTokens() {
    return stops;
  }

  /** A piece of a rendered prompt: a special marker token, or plain text tokenized as text. */
  public sealed interface Part {
    /** A special token of the vocabulary, given by its text. */
    record Marker(String token) implements Part {}

    /** Text that must be tokenized without special-token parsing (user code). */
    record Text(String text) implements Part {}
  }

  /**
   * The prompt as parts, so that markers become their special tokens while code that happens to
   * contain marker text stays plain text.
   *
   * @param commentPrefix how the target language starts a line comment (formats without a file
   *     separator show snippets as comments), e.g. "//" or "#"
   */
  public List<Part> render(
      String path,
      String prefixText,
      String suffixText,
      List<Snippet> snippets,
      String commentPrefix) {
    return render(path, prefixText, suffixText, snippets, commentPrefix, "");
  }

  /**
   * Whether this format may start the middle with text the user already typed ({@link #render}'s
   * {@code middleSeed}): a middle marker that ends the prompt, so text after it is the middle's
   * start. CodeLlama writes a space after the suffix, and without FIM there is no middle.
   */
  public boolean seedsMiddle() {
    return this == QWEN || this == STARCODER || this == DEEPSEEK;
  }

  /**
   * As {@link #render(String, String, String, List, String)}, with {@code middleSeed} (the text
   * before the cursor from a line start, which {@code prefixText} then leaves out: the lines typed
   * since the editor's anchor line) written after the middle marker where the format {@link
   * #seedsMiddle}: while the user types there, new lines included, everything up to the middle
   * marker stays the same, so the KV cache keeps the suffix too and only the typed characters are
   * computed. Formats that cannot seed get the seed at the end of the prefix.
   */
  public List<Part> render(
      String path,
      String prefixText,
      String suffixText,
      List<Snippet> snippets,
      String commentPrefix,
      String middleSeed) {
    if (!seedsMiddle() && !middleSeed.isEmpty()) {
      return render(path, prefixText + middleSeed, suffixText, snippets, commentPrefix, "");
    }
    List<Part> context = new java.util.ArrayList<>();
    if (fileSeparator != null) {
      for (Snippet s : snippets) {
        context.add(new Part.Marker(fileSeparator));
        context.add(
            new Part.Text(s.path() + "\n" + s.text() + (s.text().endsWith("\n") ? "" : "\n")));
      }
      if (!snippets.isEmpty()) {
        context.add(new Part.Marker(fileSeparator));
        context.add(new Part.Text(path + "\n"));
      }
    } else {
      String c = commentPrefix == null ? "//" : commentPrefix;
      StringBuilder sb = new StringBuilder();
      for (Snippet s : snippets) {
        sb.append(c).append(" Path: ").append(s.path()).append('\n');
        for (String line : s.text().split("\n", -1)) {
          if (!line.isEmpty()) {
            sb.append(c).append(' ').append(line).append('\n');
          }
        }
      }
      if (!sb.isEmpty()) {
        context.add(new Part.Text(sb.toString()));
      }
    }
    List<Part> parts = new java.util.ArrayList<>();
    switch (this) {
      case PREFIX_ONLY -> {
        parts.addAll(context);
        parts.add(new Part.Text(prefixText));
      }
      // Repository-style formats put the other files before the FIM markers.
      case QWEN, STARCODER -> {
        parts.addAll(context);
        parts.add(new Part.Marker(prefix));
        parts.add(new Part.Text(prefixText));
        parts.add(new Part.Marker(suffix));
        parts.add(new Part.Text(suffixText));
        parts.add(new Part.Marker(middle));
        parts.add(new Part.Text(middleSeed));
      }
      case CODELLAMA -> {
        parts.add(new Part.Marker(prefix));
        parts.add(new Part.Text(" "));
        parts.addAll(context);
        parts.add(new Part.Text(prefixText + " "));
        parts.add(new Part.Marker(suffix));
        parts.add(new Part.Text(suffixText + " "));
        parts.add(new Part.Marker(middle));
      }
      case DEEPSEEK -> {
        parts.add(new Part.Marker(prefix));
        parts.addAll(context);
        parts.add(new Part.Text(prefixText));
        parts.add(new Part.Marker(suffix));
        parts.add(new Part.Text(suffixText));
        parts.add(new Part.Marker(middle));
        parts.add(new Part.Text(middleSeed));
      }
    }
    parts.removeIf(p -> p instanceof Part.Text t && t.text().isEmpty());
    return parts;
  }

  /**
   * The index in {@code parts} (as {@link #render} made them) of the text that ends at the cursor,
   * or -1 when there is none or something follows it (CodeLlama's space): the middle's seed when
   * there is one, else the prefix text. Token healing backs this text up to a token boundary.
   */
  public int cursorPart(List<Part> parts) {
    int last = parts.size() - 1;
    return switch (this) {
      case CODELLAMA -> -1;
      case PREFIX_ONLY -> last >= 0 && parts.get(last) instanceof Part.Text ? last : -1;
      case QWEN, STARCODER, DEEPSEEK -> {
        if (last > 0
            && parts.get(last) instanceof Part.Text
            && parts.get(last - 1) instanceof Part.Marker m
            && m.token().equals(middle)) {
          yield last;
        }
        for (int i = last; i > 0; i--) {
          if (parts.get(i) instanceof Part.Marker m && m.token().equals(suffix)) {
            yield parts.get(i - 1) instanceof Part.Text ? i - 1 : -1;
          }
        }
        yield -1;
      }
    };
  }

  /** The parts joined as text, markers written out (for logs and tests). */
  public static String toText(List<Part> parts) {
    StringBuilder sb = new StringBuilder();
    for (Part p : parts) {
      switch (p) {
        case Part.Marker m -> sb.append(m.token());
        case Part.Text t -> sb.append(t.text());
      }
    }
    return sb.toString();
  }
}
