package dev.cromwell.edit;

import dev.cromwell.engine.generate.DraftModel;
import dev.cromwell.engine.generate.GenerationRequest;
import dev.cromwell.engine.generate.GenerationResult;
import dev.cromwell.engine.generate.Generator;
import dev.cromwell.engine.generate.SamplerSettings;
import dev.cromwell.engine.generate.Speculation;
import dev.cromwell.engine.model.Model;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Edits with a loaded model: greedy decoding in a fresh session, speculating by prompt lookup where
 * that pays ({@link Speculation#auto}) and with a draft model if one is given.
 */
public final class ModelEditModel implements EditModel {
  private final Model model;
  private final DraftModel draft;

  public ModelEditModel(Model model) {
    this(model, null);
  }

  /** Edits with {@code model}, its drafts proposed by {@code draft} too (null for none). */
  public ModelEditModel(Model model, DraftModel draft) {
    this.model = model;
    this.draft = draft;
  }

  @Override
  public String generate(
      String prompt, int maxTokens, List<String> stopStrings, BooleanSupplier cancelled) {
    // Special-token parsing is on so that the chat template's markers become their tokens.
    int[] tokens = model.tokenizer().encode(prompt, true);
    int room = Math.max(1, model.contextLength() - tokens.length - 1);
    GenerationRequest request =
        new GenerationRequest(
            tokens, Math.min(maxTokens, room), SamplerSettings.greedy(), Set.of(), stopStrings, 0);
    GenerationResult result =
        Generator.generate(
            model.newSession(),
            request,
            piece -> {},
            cancelled,
            Speculation.auto(request, model.config()).withDraftModel(draft));
    return result.text();
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
