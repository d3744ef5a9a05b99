package dev.cromwell.chat;

import dev.cromwell.service.ModelDirectory;
import java.nio.file.Files;
import java.nio.file.Path;

/** The real models in the model store that tests use; absent ones fail the test, never skip it. */
public final class RealModels {
  private RealModels() {}

  /** The model store, as the server resolves it. */
  public static Path store() {
    return ModelDirectory.defaultStore();
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
