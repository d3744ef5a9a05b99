package dev.cromwell.chat;

import java.nio.file.Files;
import java.nio.file.Path;

/** The real models in the model store that tests use; absent ones fail the test, never skip it. */
public final class RealModels {
  private RealModels() {}

  /**
   * {@code $CROMWELL_HOME/models}, by default under {@code $XDG_CACHE_HOME} or {@code ~/.cache}.
   */
  public static Path store() {
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

  /** SmolLM2-135M-Instruct (Q4_1), the model CI has. */
  public static Path smollm2() {
    Path p = store().resolve("smollm2-135m-instruct.gguf");
    if (!Files.isRegularFile(p)) {
      throw new AssertionError(
          p + " is missing: the real-model tests need SmolLM2 (.ci/run puts it in the store)");
    }
    return p;
  }
}
