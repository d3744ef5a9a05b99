package dev.cromwell.lsp;

import dev.cromwell.engine.generate.GenerationRequest.TextStop;
import dev.cromwell.protocol.FimFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/** A deterministic completer: fixed text, cut by the real stop rules; records prompts. */
final class StubCompleter implements Completer, AutoCloseable {
  volatile String text;

  /** Whether it was closed (as a model's native memory is freed). */
  volatile boolean closed;

  @Override
  public void close() {
    closed = true;
  }

  volatile long delayMillis;
  final List<String> prompts = new CopyOnWriteArrayList<>();
  volatile boolean sawCancellation;

  StubCompleter(String text) {
    this.text = text;
  }

  @Override
  public Output complete(
      String key,
      List<FimFormat.Part> prompt,
      TextStop stop,
      int maxTokens,
      long timeLimitNanos,
      BooleanSupplier cancelled) {
    prompts.add(FimFormat.toText(prompt));
    long end = System.currentTimeMillis() + delayMillis;
    while (System.currentTimeMillis() < end) {
      if (cancelled.getAsBoolean()) {
        sawCancellation = true;
        return new Output("", 0, 0, 0, "cancelled");
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    // Feed the text through the stop rule as the generator would, character by character.
    String out = text;
    for (int i = 1; i <= text.length(); i++) {
      int keep = stop.cut(text.substring(0, i));
      if (keep >= 0) {
        out = text.substring(0, keep);
        break;
      }
    }
    return new Output(out, 0, prompt.size(), out.length(), "stub");
  }

  volatile String editAnswer = "";
  volatile long editDelayMillis;
  final java.util.concurrent.atomic.AtomicInteger editsCancelled =
      new java.util.concurrent.atomic.AtomicInteger();
  final java.util.concurrent.atomic.AtomicInteger editCalls =
      new java.util.concurrent.atomic.AtomicInteger();

  @Override
  public dev.cromwell.edit.EditModel editModel() {
    return new dev.cromwell.edit.EditModel() {
      @Override
      public String generate(
          String prompt,
          int maxTokens,
          List<String> stops,
          BooleanSupplier cancelled,
          java.util.function.Predicate<String> enough) {
        editCalls.incrementAndGet();
        // Sleeps as a generation would take, checking cancellation as a generation does per token.
        long end = System.currentTimeMillis() + editDelayMillis;
        try {
          while (System.currentTimeMillis() < end) {
            if (cancelled.getAsBoolean()) {
              editsCancelled.incrementAndGet();
              return "";
            }
            Thread.sleep(10);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return editAnswer;
      }

      @Override
      public String chatTemplate() {
        return null;
      }

      @Override
      public int countTokens(String text) {
        return text.length() / 3 + 1;
      }
    };
  }

  @Override
  public FimFormat format() {
    return FimFormat.QWEN;
  }
}
