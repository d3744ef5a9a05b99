package dev.cromwell.engine;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared, read-only test data at {@code ../shared/testdata} from the project root. */
public final class TestData {
  private TestData() {}

  /** The test data folder; fails with a message saying where it was looked for. */
  public static Path root() {
    Path start = Path.of("").toAbsolutePath();
    for (Path p = start; p != null; p = p.getParent()) {
      Path candidate = p.resolveSibling("shared").resolve("testdata");
      if (Files.isDirectory(candidate.resolve("tokenizers"))) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "test data not found: expected ../shared/testdata next to the project root (searched upwards from "
            + start
            + ")");
  }

  public static Path tokenizers() {
    return root().resolve("tokenizers");
  }
}
