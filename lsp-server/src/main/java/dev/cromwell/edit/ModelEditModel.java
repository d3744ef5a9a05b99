package dev.cromwell.edit;

import dev.cromwell.engine.generate.DraftModel;
import dev.cromwell.engine.generate.GenerationRequest;
import dev.cromwell.engine.generate.GenerationResult;
import dev.cromwell.engine.generate.GenerationStats;
import dev.cromwell.engine.generate.SamplerSettings;
import dev.cromwell.engine.generate.Speculation;
import dev.cromwell.engine.model.Model;
import dev.cromwell.prompt.FimTokens;
import dev.cromwell.prompt.PromptTokens;
import dev.cromwell.protocol.FimFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Edits with a loaded model: greedy decoding, speculating by prompt lookup where that pays ({@link
 * Speculation#auto}) and with a draft model if one is given. One instance serves one edit request
 * (or one benchmark task and setting). Its passes run where its {@link EditPasses} say, which keep
 * the sessions of its last generations, so a follow-up turn of the same conversation (the fix
 * path's second look, {@code EditService}, even after a fill in between) computes only its new
 * tokens instead of the whole conversation again.
 */
public final class ModelEditModel implements EditModel {
  private final Model model;
  private final DraftModel draft;
  private final Function<GenerationRequest, Speculation> speculation;
  private final Consumer<GenerationStats> stats;
  private final EditPasses passes;

  public ModelEditModel(Model model) {
    this(model, EditPasses.here(model));
  }

  /**
   * Edits with {@code model} whose passes run where {@code passes} say (the editor server's
   * scheduler, between its completions).
   */
  public ModelEditModel(Model model, EditPasses passes) {
    this(model, null, auto(model), stats -> {}, passes);
  }

  /** Edits with {@code model}, its drafts proposed by {@code draft} too (null for none). */
  public ModelEditModel(Model model, DraftModel draft) {
    this(model, draft, auto(model), stats -> {});
  }

  /** The default speculation for each request ({@link Speculation#auto}). */
  private static Function<GenerationRequest, Speculation> auto(Model model) {
    return request -> Speculation.auto(request, model.config());
  }

  /**
   * Edits with {@code model}, each request speculating as {@code speculation} says (with {@code
   * draft} drafting too, if not null), and {@code stats} told every generation's timings: what the
   * quality benchmark uses to compare speculation settings on the same edits.
   */
  public ModelEditModel(
      Model model,
      DraftModel draft,
      Function<GenerationRequest, Speculation> speculation,
      Consumer<GenerationStats> stats) {
    this(model, draft, speculation, stats, EditPasses.here(model));
  }

  private ModelEditModel(
      Model model,
      DraftModel draft,
      Function<GenerationRequest, Speculation> speculation,
      Consumer<GenerationStats> stats,
      EditPasses passes) {
    this.model = model;
    this.draft = draft;
    this.speculation = speculation;
    this.stats = stats;
    this.passes = passes;
  }

  @Override
  public String generate(
      String prompt,
      int maxTokens,
      List<String> stopStrings,
      BooleanSupplier cancelled,
      Predicate<String> enough) {
    // Special-token parsing is on so that the chat template's markers become their tokens.
    int[] tokens = model.tokenizer().encode(prompt, true);
    int room = Math.max(1, model.contextLength() - tokens.length - 1);
    GenerationRequest request =
        new GenerationRequest(
            tokens, Math.min(maxTokens, room), SamplerSettings.greedy(), Set.of(), stopStrings, 0);
    EarlyStop early = new EarlyStop(enough);
    // The session's prefill keeps the positions the new prompt shares with what it holds (the last
    // prompt and answer), and computes the rest.
    GenerationResult result =
        passes.generate(
            request,
            early,
            () -> cancelled.getAsBoolean() || early.reached(),
            speculation.apply(request).withDraftModel(draft));
    stats.accept(result.stats());
    return early.answer(result.text());
  }

  @Override
  public LineScores lineScores(String context, String text, BooleanSupplier cancelled) {
    // Prompts here have no BOS token (generate encodes them as they are). The context is the edit
    // prompt's head, so the generation that follows reuses its positions.
    Optional<LineLikelihood.Scoring> scoring = LineLikelihood.start(model, false, context, text);
    if (scoring.isEmpty()) {
      return LineScores.none();
    }
    return passes.run(scoring.get().tokens(), session -> scoring.get().next(session, cancelled));
  }

  @Override
  public FimFormat fimFormat() {
    return FimTokens.of(model.tokenizer()).format();
  }

  @Override
  public String fill(
      List<FimFormat.Part> parts,
      int maxTokens,
      List<String> stopStrings,
      BooleanSupplier cancelled) {
    // Parts, not text: a marker written in the file stays text, and the format's stop tokens end
    // it.
    int[] tokens = PromptTokens.of(model.tokenizer(), parts);
    int room = Math.max(1, model.contextLength() - tokens.length - 1);
    GenerationRequest request =
        new GenerationRequest(
            tokens,
            Math.min(maxTokens, room),
            SamplerSettings.greedy(),
            FimTokens.of(model.tokenizer()).stopIds(),
            stopStrings,
            0);
    GenerationResult result =
        passes.generate(
            request, piece -> {}, cancelled, speculation.apply(request).withDraftModel(draft));
    stats.accept(result.stats());
    return result.stopReason().endedByModel() ? result.text() : null;
  }

  @Override
  public String chatTemplate() {
    return model.file().string("tokenizer.chat_template").orElse(null);
  }

  /**
   * Embeddings plus, per block, attention and feed-forward matrices (norms and biases left out).
   */
  @Override
  public long parameters() {
    var c = model.config();
    long d = c.embeddingLength();
    long kv = (long) c.headCountKv() * c.headDim();
    long attention = 2 * d * (long) c.headCount() * c.headDim() + 2 * d * kv;
    long block = attention + 3 * d * c.feedForwardLength();
    long embeddings = (long) c.vocabularySize() * d * (c.tiedEmbeddings() ? 1 : 2);
    return c.blockCount() * block + embeddings;
  }

  @Override
  public dev.cromwell.chat.ChatFormat chatFormat() {
    return chatTemplate() == null ? null : dev.cromwell.chat.ChatFormat.forModel(model);
  }

  @Override
  public int countTokens(String text) {
    return model.tokenizer().encode(text, false).length;
  }
}
