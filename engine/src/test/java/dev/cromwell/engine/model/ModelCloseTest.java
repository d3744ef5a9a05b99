package dev.cromwell.engine.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.engine.RealModels;
import dev.cromwell.engine.generate.GenerationRequest;
import dev.cromwell.engine.generate.Generator;
import dev.cromwell.engine.generate.SamplerSettings;
import dev.cromwell.engine.gguf.LoadMode;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 18, finding 1: closing a model while another thread generates with it (what the LSP server
 * does when the editor closes its pipe) used to unmap the weights under the workers and kill the
 * JVM with SIGSEGV in a kernel. Now the generation ends with "the model was closed" and the process
 * lives. A crash here fails the whole test fork.
 */
@Timeout(120)
class ModelCloseTest {
  @ParameterizedTest
  @EnumSource(LoadMode.class)
  void closingDuringGenerationEndsItCleanly(LoadMode mode) throws Exception {
    java.util.Random random = new java.util.Random(18);
    for (int run = 0; run < 4; run++) {
      Model model = Model.load(RealModels.smollm2(), new Model.Options(2, 1024, 64, mode));
      int[] prompt =
          model.tokenizer().encode("def fibonacci(n):\n    " + "x = 1\n".repeat(80), false);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread generation =
          new Thread(
              () -> {
                try {
                  Generator.generate(
                      model.newSession(),
                      new GenerationRequest(
                          prompt, 400, SamplerSettings.greedy(), Set.of(), List.of(), 0),
                      piece -> {},
                      () -> false);
                } catch (Throwable t) {
                  failure.set(t);
                }
              });
      generation.start();
      Thread.sleep(50 + random.nextInt(400)); // in the prompt or in the decode loop
      model.close();
      generation.join(60_000);
      assertTrue(!generation.isAlive(), "the generation did not end after close");
      Throwable t = failure.get();
      assertTrue(
          t == null || (t instanceof IllegalStateException && t.getMessage().contains("closed")),
          "unexpected failure: " + t);
    }
  }
}
