package dev.cromwell.cli;

import dev.cromwell.engine.gguf.LoadMode;
import java.util.Locale;

/** Parses the {@code --load} option. */
final class LoadOption {
  private LoadOption() {}

  static LoadMode parse(String value) {
    try {
      return LoadMode.valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--load takes mmap or copy, not \"" + value + "\"", e);
    }
  }
}
