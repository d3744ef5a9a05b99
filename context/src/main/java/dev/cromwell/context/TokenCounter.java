package dev.cromwell.context;

import dev.cromwell.engine.tokenizer.Tokenizer;

/** Counts tokens of text, with the model's tokenizer or an approximation. */
public interface TokenCounter {
  int count(String text);

  /** How counts are made, for plans and listings. */
  String description();

  /** Whether counts are the model tokenizer's own (not an approximation). */
  default boolean exact() {
    return true;
  }

  /** Exact counts with the model's tokenizer. */
  static TokenCounter of(Tokenizer tokenizer) {
    return new TokenCounter() {
      @Override
      public int count(String text) {
        return tokenizer.encode(text, false).length;
      }

      @Override
      public String description() {
        return "model tokenizer (" + tokenizer.description() + ")";
      }
    };
  }

  /**
   * Remembers counts of texts seen before: between keystrokes the lines of the prefix, the snippets
   * and the related files mostly stay the same, and re-tokenizing them is the dominant cost of a
   * plan. Bounded; forgets everything when full.
   */
  static TokenCounter caching(TokenCounter counter) {
    if (counter instanceof CachingTokenCounter) {
      return counter;
    }
    return new CachingTokenCounter(counter);
  }

  /**
   * Without a model: one token per 3 characters, rounded up — code averages 3.5–4 characters per
   * token with the BPE vocabularies of code models, so this errs on the side of fitting.
   */
  static TokenCounter approximate() {
    return new TokenCounter() {
      @Override
      public int count(String text) {
        return (text.length() + 2) / 3;
      }

      @Override
      public String description() {
        return "approximation: 1 token per 3 characters";
      }

      @Override
      public boolean exact() {
        return false;
      }
    };
  }
}
