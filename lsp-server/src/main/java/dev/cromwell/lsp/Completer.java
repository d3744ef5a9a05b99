package dev.cromwell.lsp;

import dev.cromwell.engine.generate.GenerationRequest.TextStop;
import dev.cromwell.protocol.FimFormat;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Produces the raw text of a completion from a rendered prompt. The model-backed implementation
 * runs the engine with a per-document session; tests substitute fixed text.
 */
public interface Completer {
  /**
   * What one completion cost.
   *
   * @param reusedTokens prompt tokens taken from the document's KV cache
   * @param computedTokens prompt tokens computed
   */
  record Output(
      String text,
      int reusedTokens,
      int computedTokens,
      int generatedTokens,
      String stopReason,
      Costs costs) {
    public Output(
        String text, int reusedTokens, int computedTokens, int generatedTokens, String stopReason) {
      this(text, reusedTokens, computedTokens, generatedTokens, stopReason, Costs.NONE);
    }

    /** The same output with another stop reason (the caller's own rule ended it). */
    Output endedBy(String reason) {
      return new Output(text, reusedTokens, computedTokens, generatedTokens, reason, costs);
    }
  }

  /**
   * Where a completion's time went inside the completer, in nanoseconds (0: not measured), for the
   * timing log ({@link CompletionTiming}).
   *
   * @param encodeNanos tokenizing the prompt
   * @param queuedNanos waiting for the model thread (another job's prefill or step)
   * @param promptNanos computing the prompt's uncached tokens
   * @param decodeNanos generating the suggestion's tokens
   */
  record Costs(long encodeNanos, long queuedNanos, long promptNanos, long decodeNanos) {
    static final Costs NONE = new Costs(0, 0, 0, 0);
  }

  Output complete(
      String documentKey,
      List<FimFormat.Part> prompt,
      TextStop stop,
      int maxTokens,
      long timeLimitNanos,
      BooleanSupplier cancelled);

  /**
   * Computes {@code prompt} into the document's cached state without generating, until {@code stop}
   * says a newer request came; what was computed stays cached. By default a completion of no tokens
   * (it stops only where the engine checks cancellation).
   */
  default void prime(String documentKey, List<FimFormat.Part> prompt, BooleanSupplier stop) {
    complete(documentKey, prompt, TextStop.NEVER, 0, 0, stop);
  }

  /** The FIM format prompts must be rendered in. */
  FimFormat format();

  /** Forgets a document's cached state. */
  default void forget(String documentKey) {}

  /**
   * The document was closed: its cached state may be kept aside, while memory allows, for the
   * document opened again (in this session or, through the daemon, the next one).
   */
  default void closed(String documentKey) {
    forget(documentKey);
  }

  /** Sessions held for open documents, for status. */
  default int sessions() {
    return 0;
  }

  /** Sessions kept aside for closed documents ({@link #closed}), for status. */
  default int closedSessions() {
    return 0;
  }

  /** The model for edits, when this completer has one (it runs on the same model thread). */
  default dev.cromwell.edit.EditModel editModel() {
    return null;
  }

  /**
   * Tokens of {@code prompt} that the document's cached state does not hold yet, that is, what a
   * completion with it must compute before its first token (0: not known; every prompt is taken as
   * cheap).
   */
  default int uncachedTokens(String documentKey, List<FimFormat.Part> prompt) {
    return 0;
  }

  /** Prompt tokens per second the model computed lately (0: not measured yet). */
  default double prefillTokensPerSecond() {
    return 0;
  }

  /** Counts a token budget of text with the completer's tokenizer, if it has one. */
  default int countTokens(String text) {
    return (text.length() + 2) / 3;
  }
}
