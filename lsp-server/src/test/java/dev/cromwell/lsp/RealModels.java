package dev.cromwell.lsp;

import java.nio.file.Files;
import java.nio.file.Path;

/** The real models tests run on, from the model store; absent means a failed test, not a skip. */
final class RealModels {
  private RealModels() {}

  /** {@code $CROMWELL_HOME/models}, CROMWELL_HOME defaulting to $XDG_CACHE_HOME or ~/.cache. */
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

  static Path smollm2() {
    Path p = store().resolve("smollm2-135m-instruct.gguf");
    if (!Files.isRegularFile(p)) {
      throw new AssertionError(
          p
              + " is missing: this test needs the real SmolLM2; get it with"
              + " `bin/cromwell pull smollm2-135m-instruct` (.ci/run does)");
    }
    return p;
  }
}
