package dev.cromwell.testing;

import dev.cromwell.engine.store.ModelStore;
import java.nio.file.Files;
import java.nio.file.Path;

/** The real models tests run on, from the model store; absent means a failed test, not a skip. */
public final class RealModels {
  private RealModels() {}

  /** The model store, as the CLI and the servers resolve it ({@code $CROMWELL_HOME/models}). */
  public static Path store() {
    return ModelStore.fromEnvironment().models();
  }

  /** SmolLM2-135M-Instruct (Q4_1), the model CI has. */
  public static Path smollm2() {
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
