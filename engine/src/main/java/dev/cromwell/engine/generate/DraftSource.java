package dev.cromwell.engine.generate;

/**
 * Where {@link SpeculativeStepper} gets the tokens it proposes before the target model verifies
 * them: prompt lookup ({@link PromptLookup}), a smaller model of the same vocabulary ({@link
 * ModelDrafter}), or the first of two that has something ({@link FirstOf}). A draft only changes
 * speed: the decode loop still picks every token from the target's own logits.
 */
sealed interface DraftSource permits PromptLookup, ModelDrafter, DraftSource.FirstOf {
  /** Up to {@code limit} draft tokens to follow {@code tokens[0..length)}, possibly none. */
  int[] draft(int[] tokens, int length, int limit);

  /** The most tokens this source proposes at once. */
  int maxDraft();

  /**
   * Asks {@code first} and falls back on {@code second} when it has nothing: prompt lookup costs
   * nothing, so it goes first, and the draft model runs only where the text does not copy.
   */
  record FirstOf(DraftSource first, DraftSource second) implements DraftSource {
    @Override
    public int[] draft(int[] tokens, int length, int limit) {
      int[] d = first.draft(tokens, length, limit);
      return d.length > 0 ? d : second.draft(tokens, length, limit);
    }

    @Override
    public int maxDraft() {
      return Math.max(first.maxDraft(), second.maxDraft());
    }
  }
}
