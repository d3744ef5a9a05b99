package dev.cromwell.engine.generate;

import java.util.List;
import java.util.Set;

/**
 * What to generate.
 *
 * @param prompt prompt token ids (including BOS if the model wants one)
 * @param maxTokens the most tokens to generate
 * @param stopTokens extra token ids that end generation (besides the model's end tokens)
 * @param stopStrings texts that end generation; they are not included in the output
 * @param timeLimitNanos wall-time cap for the whole request, prompt processing included, 0 for none
 * @param textStop a rule over the text generated so far that can end generation (e.g. at the end of
 *     a line or block), or {@link TextStop#NEVER}
 * @param firstToken chooses the first generated token instead of the sampler (token healing
 *     constrains it), or null
 */
public record GenerationRequest(
    int[] prompt,
    int maxTokens,
    SamplerSettings sampler,
    Set<Integer> stopTokens,
    List<String> stopStrings,
    long timeLimitNanos,
    TextStop textStop,
    FirstToken firstToken) {

  /** Decides from the text generated so far whether to stop, and how much of it to keep. */
  @FunctionalInterface
  public interface TextStop {
    /** Returns -1 to go on, or the length of the text to keep and stop. */
    int cut(String text);

    TextStop NEVER = text -> -1;
  }

  /** Picks the first generated token from the logits after the prompt. */
  @FunctionalInterface
  public interface FirstToken {
    int choose(float[] logits);
  }

  public GenerationRequest(
      int[] prompt,
      int maxTokens,
      SamplerSettings sampler,
      Set<Integer> stopTokens,
      List<String> stopStrings,
      long timeLimitNanos,
      TextStop textStop) {
    this(prompt, maxTokens, sampler, stopTokens, stopStrings, timeLimitNanos, textStop, null);
  }

  public GenerationRequest(
      int[] prompt,
      int maxTokens,
      SamplerSettings sampler,
      Set<Integer> stopTokens,
      List<String> stopStrings,
      long timeLimitNanos) {
    this(prompt, maxTokens, sampler, stopTokens, stopStrings, timeLimitNanos, TextStop.NEVER);
  }

  public GenerationRequest {
    prompt = prompt.clone();
    stopTokens = Set.copyOf(stopTokens);
    stopStrings = stopStrings.stream().filter(s -> !s.isEmpty()).toList();
    if (maxTokens < 0) {
      throw new IllegalArgumentException("max tokens must not be negative, got " + maxTokens);
    }
  }

  public static GenerationRequest of(int[] prompt, int maxTokens, SamplerSettings sampler) {
    return new GenerationRequest(
        prompt, maxTokens, sampler, Set.of(), List.of(), 0, TextStop.NEVER);
  }
}
