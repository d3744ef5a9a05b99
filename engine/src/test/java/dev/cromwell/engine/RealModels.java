package dev.cromwell.engine;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real models tests run on, from the model store ({@code $CROMWELL_HOME/models}, default {@code
 * ${XDG_CACHE_HOME:-~/.cache}/cromwell/models}). A missing model fails the test with a message
 * saying how to get it: tests never download and never skip.
 */
public final class RealModels {
  private RealModels() {}

  /** SmolLM2-135M-Instruct (Q4_1, llama), the model CI has. */
  public static Path smollm2() {
    return find("smollm2-135m-instruct.gguf");
  }

  static Path find(String name) {
    Path model = store().resolve(name);
    if (!Files.isRegularFile(model)) {
      throw new IllegalStateException(
          "the test model "
              + model
              + " is missing; .ci/run pulls it into the model store (or set CROMWELL_HOME)");
    }
    return model;
  }

  static Path store() {
    String home = System.getenv("CROMWELL_HOME");
    if (home != null && !home.isBlank()) {
      return Path.of(home, "models");
    }
    String cache = System.getenv("XDG_CACHE_HOME");
    Path base =
        cache != null && !cache.isBlank()
            ? Path.of(cache)
            : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("cromwell").resolve("models");
  }
}
