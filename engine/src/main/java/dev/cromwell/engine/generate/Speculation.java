package dev.cromwell.engine.generate;

import dev.cromwell.engine.model.ModelConfig;
import java.util.function.BooleanSupplier;

/**
 * Whether and how {@link Generator} speculates: draft tokens are proposed by prompt lookup (copied
 * from where the last few tokens occurred earlier in the prompt or output), by a smaller draft
 * model of the same vocabulary, or by both (lookup first), and verified in one batched pass. It
 * applies only to greedy decoding, where it changes speed and nothing else.
 *
 * @param enabled whether prompt lookup drafts; false and no draft model is the plain
 *     one-token-at-a-time loop
 * @param maxNgram the longest suffix looked up
 * @param minNgram the shortest suffix looked up; shorter matches are too often wrong to pay
 * @param maxDraft the most tokens prompt lookup proposes at once (also capped by the prefill chunk
 *     and {@link #MAX_PASS}, less one; drafts start shorter and grow while they are chosen whole:
 *     {@link SpeculativeStepper})
 * @param draftModel the draft model, or null for none
 */
public record Speculation(
    boolean enabled, int maxNgram, int minNgram, int maxDraft, DraftModel draftModel) {
  public static final Speculation OFF = new Speculation(false, 1, 1, 1);

  /**
   * The most rows of a verify pass, the token and its draft (and at most a prefill chunk): 64 rows
   * cost 9.5 decode steps, and every row's logits are kept (150,000 floats a row on the Qwen
   * models), so the commands that prefill in larger chunks ({@code Model.BATCH_PREFILL_CHUNK})
   * verify as the servers do.
   */
  public static final int MAX_PASS = 64;

  /**
   * The setting for edits, which mostly copy their input. Drafts grow up to 64 tokens (at most
   * {@link #MAX_PASS} or a prefill chunk, less the token they follow: 63 with any chunk of 64 or
   * more) while they are accepted whole; see {@link SpeculativeStepper}.
   */
  public static final Speculation PROMPT_LOOKUP = new Speculation(true, 4, 2, 64);

  /** Prompt lookup only. */
  public Speculation(boolean enabled, int maxNgram, int minNgram, int maxDraft) {
    this(enabled, maxNgram, minNgram, maxDraft, null);
  }

  /** This setting with {@code draft} drafting too (after prompt lookup, if that is on). */
  public Speculation withDraftModel(DraftModel draft) {
    return new Speculation(enabled, maxNgram, minNgram, maxDraft, draft);
  }

  public Speculation {
    if (minNgram < 1 || maxNgram < minNgram) {
      throw new IllegalArgumentException(
          "n-gram sizes must satisfy 1 <= min <= max, got " + minNgram + ".." + maxNgram);
    }
    if (maxDraft < 1) {
      throw new IllegalArgumentException("max draft must be positive, got " + maxDraft);
    }
  }

  /**
   * The default for a request: prompt lookup for greedy requests of at least {@link
   * #AUTO_MIN_TOKENS} tokens on models at least {@link #AUTO_MIN_WIDTH} wide, else off. Measured on
   * an idle machine (benchmarks/speculation-contention.sh, a docstring edit, 2 threads): the 0.5B
   * (width 896) ran 1.61x faster with 90% of drafts accepted; SmolLM2-135M (width 576) ran 0.91x,
   * because a token of so small a model costs little more than the batched pass that verifies a
   * draft, and it copies its input less. Output is identical either way.
   */
  public static Speculation auto(GenerationRequest request, ModelConfig model) {
    boolean pays =
        request.sampler().temperature() <= 0
            && request.maxTokens() >= AUTO_MIN_TOKENS
            && model.embeddingLength() >= AUTO_MIN_WIDTH;
    return pays ? PROMPT_LOOKUP : OFF;
  }

  /** The shortest request {@link #auto} speculates for: short ones have little to copy. */
  public static final int AUTO_MIN_TOKENS = 64;

  /** The narrowest model {@link #auto} speculates for (see there). */
  public static final int AUTO_MIN_WIDTH = 768;

  /** Whether it applies to {@code request}: only greedy decoding is verified token for token. */
  boolean appliesTo(GenerationRequest request) {
    return (enabled || draftModel != null) && request.sampler().temperature() <= 0;
  }

  /**
   * Where one generation's drafts come from (call only where {@link #appliesTo}); {@code cancelled}
   * stops the draft model's prompt.
   */
  DraftSource source(BooleanSupplier cancelled) {
    DraftSource model = draftModel == null ? null : new ModelDrafter(draftModel, cancelled);
    if (!enabled) {
      return model;
    }
    PromptLookup lookup = new PromptLookup(this);
    return model == null ? lookup : new DraftSource.FirstOf(lookup, model);
  }
}
