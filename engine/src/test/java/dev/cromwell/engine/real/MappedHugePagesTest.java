package dev.cromwell.engine.real;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.engine.RealModels;
import dev.cromwell.engine.generate.GenerationRequest;
import dev.cromwell.engine.generate.Generator;
import dev.cromwell.engine.generate.SamplerSettings;
import dev.cromwell.engine.generate.Speculation;
import dev.cromwell.engine.gguf.LoadMode;
import dev.cromwell.engine.model.Model;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mapped model whose file sits in the page cache in small pages (just copied and read the
 * ordinary way) is advised into huge pages at load, which may drop and re-read its cached pages
 * (HugeFilePages): the real SmolLM2 must then decode exactly as when copied into memory, and the
 * file must be unchanged. How much ended up in 2 MiB pages depends on the kernel and the file
 * system and is printed, not asserted.
 */
class MappedHugePagesTest {
  static final String NAME = "smollm2-135m-instruct";

  @TempDir Path dir;

  @Test
  void aMappedFileAdvisedIntoHugePagesDecodesAsTheCopy() throws IOException {
    Path original = RealModels.installed(NAME);
    Path file = dir.resolve("smollm2.gguf");
    Files.copy(original, file);
    try (var channel = java.nio.channels.FileChannel.open(file)) {
      channel.force(true); // dirty pages could not be dropped
    }
    try (InputStream in = Files.newInputStream(file)) {
      in.transferTo(java.io.OutputStream.nullOutputStream()); // small folios, as after a download
    }
    int[] mapped;
    int[] copied;
    try (Model m = Model.load(file, new Model.Options(2, 256, 64, LoadMode.MMAP))) {
      System.out.printf(
          "mapped %d of %d bytes with 2 MiB pages%n", m.file().hugePageBytes(), Files.size(file));
      assertTrue(m.file().hugePageBytes() <= Files.size(file));
      mapped = decode(m);
    }
    try (Model m = Model.load(file, new Model.Options(2, 256, 64, LoadMode.COPY))) {
      copied = decode(m);
    }
    assertArrayEquals(copied, mapped, "the mapped model decoded differently");
    assertArrayEquals(Files.readAllBytes(original), Files.readAllBytes(file), "the file changed");
  }

  private static int[] decode(Model m) {
    int[] prompt = m.tokenizer().encode("The three primary colours are", false);
    return Generator.generate(
            m.newSession(),
            GenerationRequest.of(prompt, 16, SamplerSettings.greedy()),
            piece -> {},
            () -> false,
            Speculation.OFF)
        .tokens();
  }
}
