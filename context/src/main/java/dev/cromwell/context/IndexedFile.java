package dev.cromwell.context;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * One indexed text file.
 *
 * @param relativePath path relative to its workspace root, with '/' separators
 * @param hash SHA-256 of the content (hex, first 16 characters): the key of the token-count cache
 * @param open whether the text comes from an open editor buffer rather than disk
 * @param windows identifier sets of overlapping line windows, for snippet retrieval
 */
public record IndexedFile(
    Path path,
    Path root,
    String relativePath,
    long size,
    long modified,
    String hash,
    Language language,
    String encoding,
    String text,
    SourceFacts facts,
    List<Window> windows,
    boolean open) {

  /** Lines {@code [startLine, endLine]} (0-based, inclusive) and the identifiers used in them. */
  public record Window(int startLine, int endLine, Set<String> identifiers) {
    public Window {
      identifiers = Set.copyOf(identifiers);
    }
  }

  public IndexedFile {
    windows = List.copyOf(windows);
  }

  public int lineCount() {
    return new Lines(text).count();
  }
}
