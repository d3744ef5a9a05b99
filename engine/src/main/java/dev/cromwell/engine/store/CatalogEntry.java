package dev.cromwell.engine.store;

import java.util.List;

/**
 * One model of the catalogue: what it is, the exact bytes of its assembled GGUF file, and where to
 * get them.
 *
 * @param name the name users type ({@code cromwell pull NAME}, {@code -m NAME}); the file in the
 *     store is {@code NAME.gguf}
 * @param family the GGUF architecture ({@code llama}, {@code qwen2})
 * @param fim the fill-in-the-middle format (a {@code FimFormat} name)
 * @param chatTemplate the chat-template family (a {@code ChatTemplate} name)
 * @param bytes the assembled file's size
 * @param sha256 the assembled file's sha256, lower-case hex
 * @param sources where to get it, in order of preference
 */
public record CatalogEntry(
    String name,
    String family,
    String fim,
    String chatTemplate,
    String parameters,
    String quantization,
    String licence,
    long bytes,
    String sha256,
    List<ModelSource> sources) {
  public CatalogEntry {
    if (!name.matches("[a-z0-9][a-z0-9._-]*")) {
      throw new IllegalArgumentException("catalogue name \"" + name + "\" is not a plain name");
    }
    if (!sha256.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException(name + ": sha256 must be 64 lower-case hex digits");
    }
    if (bytes <= 0) {
      throw new IllegalArgumentException(name + ": bytes must be positive");
    }
    sources = List.copyOf(sources);
  }

  /** The file name in the model store. */
  public String fileName() {
    return name + ".gguf";
  }
}
