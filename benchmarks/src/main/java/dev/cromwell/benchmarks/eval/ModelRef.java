package dev.cromwell.benchmarks.eval;

import java.nio.file.Files;
import java.nio.file.Path;

/** A model named on the command line: a GGUF path, or a catalogue name in the model store. */
final class ModelRef {
  private ModelRef() {}

  /** The model store: {@code $CROMWELL_HOME/models}, CROMWELL_HOME defaulting under XDG's cache. */
  static Path store() {
    String home = System.getenv("CROMWELL_HOME");
    if (home == null || home.isBlank()) {
      String cache = System.getenv("XDG_CACHE_HOME");
      Path base =
          cache == null || cache.isBlank()
              ? Path.of(System.getProperty("user.home"), ".cache")
              : Path.of(cache);
      return base.resolve("cromwell").resolve("models");
    }
    return Path.of(home).resolve("models");
  }

  static Path resolve(String name) {
    Path direct = Path.of(name);
    if (Files.isRegularFile(direct)) {
      return direct;
    }
    Path stored = store().resolve(name.endsWith(".gguf") ? name : name + ".gguf");
    if (Files.isRegularFile(stored)) {
      return stored;
    }
    throw new IllegalArgumentException(
        "no model "
            + name
            + ": it is not a file and not in the model store ("
            + stored
            + "); pull it with cromwell pull or give a .gguf path");
  }
}
