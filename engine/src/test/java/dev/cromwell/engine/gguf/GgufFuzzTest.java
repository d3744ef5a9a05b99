package dev.cromwell.engine.gguf;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzz test of the GGUF reader on arbitrary bytes in a file: a file opens (and every metadata value
 * and tensor of it can be read) or is refused with a {@link GgufFormatException} that names the
 * file; nothing else may come out. Under plain JUnit it replays {@code GgufFuzzTestInputs/}; with
 * {@code JAZZER_FUZZ=1} it fuzzes (docs/ARCHITECTURE.md says how).
 */
class GgufFuzzTest {
  private static final Path FILE;

  static {
    try {
      FILE = Files.createTempFile("cromwell-fuzz-", ".gguf");
      FILE.toFile().deleteOnExit();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "2m", maxExecutions = 1_000_000)
  void openAnyBytes(byte[] bytes) throws IOException {
    Files.write(FILE, bytes);
    LoadMode mode = bytes.length % 2 == 0 ? LoadMode.MMAP : LoadMode.COPY;
    try (GgufFile g = GgufFile.open(FILE, mode)) {
      for (String key : g.metadata().keySet()) {
        assertNotNull(g.get(key).orElseThrow());
        readTyped(g, key);
      }
      for (GgufTensor t : g.tensors().values()) {
        assertTrue(t.toString() != null);
      }
    } catch (GgufFormatException refused) {
      assertTrue(
          refused.getMessage().startsWith(FILE.toString()),
          "the refusal must name the file: " + refused.getMessage());
    }
  }

  /** A typed read of a value of another type is a clean refusal, not a crash. */
  private static void readTyped(GgufFile g, String key) {
    Runnable[] reads = {
      () -> g.string(key),
      () -> g.integer(key),
      () -> g.number(key),
      () -> g.bool(key),
      () -> g.strings(key),
      () -> g.ints(key),
      () -> g.floats(key)
    };
    for (Runnable read : reads) {
      try {
        read.run();
      } catch (GgufFormatException wrongType) {
        assertNotNull(wrongType.getMessage());
      }
    }
  }
}
