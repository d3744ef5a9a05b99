package dev.cromwell.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.engine.store.CatalogEntry;
import dev.cromwell.engine.store.ModelStore;
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
    return ModelStore.fromEnvironment().models();
  }

  /**
   * Catalogue model {@code name}, which must be installed in the store (its file there with the
   * catalogue's size); the test fails with how to get it otherwise.
   */
  public static Path installed(String name) {
    ModelStore store = ModelStore.fromEnvironment();
    CatalogEntry entry = store.catalog().require(name);
    Path path = store.path(entry);
    assertTrue(
        store.installed(entry),
        "the real model is missing: "
            + path
            + " (get it with: bin/cromwell pull "
            + name
            + "; bin/test does this before the tests)");
    return path;
  }
}
