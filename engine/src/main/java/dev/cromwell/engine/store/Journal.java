package dev.cromwell.engine.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * What an unfinished pull has already assembled: the source it came from and the byte length of
 * each part appended so far. It lets an interrupted pull resume after its last complete part; the
 * data file is cut back to exactly those parts, so a part that was half-appended is redone.
 */
final class Journal {
  private final Path file;
  private final Path data;
  private final List<Long> parts;

  private Journal(Path file, Path data, List<Long> parts) {
    this.file = file;
    this.data = data;
    this.parts = parts;
  }

  /**
   * The journal of {@code name} for {@code source}; one for another source, or one that does not
   * match its data, starts over.
   */
  static Journal open(Path dir, String name, String source) throws PullException {
    Path file = dir.resolve(name + ".journal");
    Path data = dir.resolve(name + ".gguf.part");
    List<Long> parts = new ArrayList<>();
    try {
      List<String> lines =
          Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
      boolean same = !lines.isEmpty() && lines.get(0).equals("source " + source);
      if (same) {
        for (String line : lines.subList(1, lines.size())) {
          parts.add(Long.parseLong(line.strip()));
        }
      }
      long total = parts.stream().mapToLong(Long::longValue).sum();
      if (!same || Downloader.size(data) < total) {
        parts.clear();
        total = 0;
        Files.writeString(file, "source " + source + "\n", StandardCharsets.UTF_8);
        Downloader.truncate(data, 0);
      } else if (!source.equals("hf")) {
        // Parts are appended whole: bytes after the last complete one are a part to redo. A
        // single-file (hf) download instead continues from whatever it holds.
        Downloader.truncate(data, total);
      }
    } catch (PullException e) {
      throw e;
    } catch (IOException | NumberFormatException e) {
      throw new PullException(file + " is damaged; delete it and pull again", e);
    }
    return new Journal(file, data, parts);
  }

  /** The file the parts are appended to. */
  Path data() {
    return data;
  }

  /** Parts already complete. */
  int completed() {
    return parts.size();
  }

  /** Bytes of the complete parts. */
  long bytes() {
    return parts.stream().mapToLong(Long::longValue).sum();
  }

  /** Records that a part of {@code length} bytes is now complete (after the data is synced). */
  void complete(long length) throws PullException {
    try {
      Files.writeString(
          file,
          length + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.APPEND,
          StandardOpenOption.SYNC);
    } catch (IOException e) {
      throw ModelPuller.writeFailed(file, e);
    }
    parts.add(length);
  }

  /** Forgets the pull: the data and the journal go. */
  void discard() {
    try {
      Files.deleteIfExists(data);
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // Left-overs are cut back or replaced by the next pull.
    }
  }

  /** Removes the journal once its data has been installed. */
  void finish() throws IOException {
    Files.deleteIfExists(file);
  }
}
