package dev.cromwell.engine.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.model.TinyModels;
import dev.cromwell.kernels.formats.GgmlType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratorTest {
  @TempDir static Path dir;
  static Model model;

  @BeforeAll
  static void load() {
    model = Model.load(TinyModels.qwen2(dir, GgmlType.Q8_0), new Model.Options(2, 0));
  }

  @AfterAll
  static void close() {
    model.close();
  }

  int[] prompt() {
    return model.tokenizer().encode("def fibonacci(n):", false);
  }

  @Test
  void greedyGenerationIsDeterministicAndStreamsTheSameText() {
    List<String> pieces = new ArrayList<>();
    GenerationResult first =
        Generator.generate(
            model.newSession(),
            GenerationRequest.of(prompt(), 24, SamplerSettings.greedy()),
            pieces::add,
            () -> false);
    GenerationResult second =
        Generator.generate(
            model.newSession(),
            GenerationRequest.of(prompt(), 24, SamplerSettings.greedy()),
            p -> {},
            () -> false);
    assertArrayEquals(first.tokens(), second.tokens());
    assertEquals(first.text(), second.text());
    assertEquals(first.text(), String.join("", pieces));
    assertEquals(model.tokenizer().decode(first.tokens()), first.text());
    assertTrue(first.stats().generatedTokens() > 0);
  }

  @Test
  void seededSamplingIsReproducibleAndSeedsDiffer() {
    SamplerSettings a = new SamplerSettings(1.5f, 0, 1f, 0f, 1f, 64, 7);
    SamplerSettings b = new SamplerSettings(1.5f, 0, 1f, 0f, 1f, 64, 8);
    int[] x =
        Generator.generate(
                model.newSession(), GenerationRequest.of(prompt(), 16, a), p -> {}, () -> false)
            .tokens();
    int[] y =
        Generator.generate(
                model.newSession(), GenerationRequest.of(prompt(), 16, a), p -> {}, () -> false)
            .tokens();
    int[] z =
        Generator.generate(
                model.newSession(), GenerationRequest.of(prompt(), 16, b), p -> {}, () -> false)
            .tokens();
    assertArrayEquals(x, y);
    assertTrue(!java.util.Arrays.equals(x, z), "different seeds should give different samples");
  }

  @Test
  void cancellationFromAnotherThreadStopsWithinOneToken() throws Exception {
    Cancellation cancel = new Cancellation();
    AtomicInteger tokensAfterCancel = new AtomicInteger();
    AtomicInteger seen = new AtomicInteger();
    GenerationResult result =
        Generator.generate(
            model.newSession(),
            GenerationRequest.of(prompt(), 400, SamplerSettings.greedy()),
            new Generator.Listener() {
              @Override
              public void onText(String piece) {}

              @Override
              public void onToken(int token) {
                if (cancel.isCancelled()) {
                  tokensAfterCancel.incrementAndGet();
                }
                if (seen.incrementAndGet() == 5) {
                  Thread t = new Thread(cancel::cancel);
                  t.start();
                  try {
                    t.join();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
              }
            },
            cancel);
    assertEquals(StopReason.CANCELLED, result.stopReason());
    assertEquals(5, result.tokens().length);
    assertEquals(0, tokensAfterCancel.get(), "no token may be produced after cancellation");
  }

  @Test
  void stopTokensAndLimitsEndGeneration() {
    GenerationResult free =
        Generator.generate(
            model.newSession(),
            GenerationRequest.of(prompt(), 6, SamplerSettings.greedy()),
            p -> {},
            () -> false);
    assertEquals(StopReason.MAX_TOKENS, free.stopReason());
    assertEquals(6, free.tokens().length);
    int third = free.tokens()[2];
    GenerationResult stopped =
        Generator.generate(
            model.newSession(),
            new GenerationRequest(
                prompt(), 6, SamplerSettings.greedy(), Set.of(third), List.of(), 0),
            p -> {},
            () -> false);
    assertEquals(StopReason.STOP_SEQUENCE, stopped.stopReason());
    assertTrue(stopped.tokens().length <= 2);
  }

  @Test
  void stopStringsCutTheTextAndAreNotStreamed() {
    GenerationResult free =
        Generator.generate(
            model.newSession(),
            GenerationRequest.of(prompt(), 12, SamplerSettings.greedy()),
            p -> {},
            () -> false);
    String text = free.text();
    assertTrue(text.length() >= 4, "the fixture must generate some text to cut: " + text);
    String stop = text.substring(text.length() / 2, text.length() / 2 + 2);
    List<String> pieces = new ArrayList<>();
    GenerationResult cut =
        Generator.generate(
            model.newSession(),
            new GenerationRequest(
                prompt(), 12, SamplerSettings.greedy(), Set.of(), List.of(stop), 0),
            pieces::add,
            () -> false);
    assertEquals(StopReason.STOP_SEQUENCE, cut.stopReason());
    assertEquals(text.substring(0, text.indexOf(stop)), cut.text());
    assertEquals(cut.text(), String.join("", pieces));
  }
}
