package dev.cromwell.cli;

import dev.cromwell.engine.generate.DraftModel;
import dev.cromwell.engine.generate.Speculation;
import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.store.ModelStore;
import picocli.CommandLine.Option;

/** The draft-model options of the commands that decode greedily for the user (generate, edit). */
final class DraftOptions {
  @Option(
      names = "--draft",
      paramLabel = "MODEL",
      description =
          "speculative decoding with a draft model: MODEL (a smaller GGUF file or catalogue name"
              + " with the same vocabulary, e.g. qwen2.5-coder-0.5b-instruct for"
              + " qwen2.5-coder-1.5b-instruct) proposes --draft-tokens tokens with its own KV cache"
              + " and the model checks them in one batched pass; greedy output is identical, only"
              + " the speed changes. A model of another vocabulary is refused")
  String draft;

  @Option(
      names = "--draft-tokens",
      paramLabel = "K",
      defaultValue = "" + DraftModel.DEFAULT_TOKENS,
      description = "the most tokens the draft model proposes at once (default: ${DEFAULT-VALUE})")
  int tokens;

  /** The loaded draft model, or none (null) without --draft; closing closes its model. */
  record Loaded(DraftModel draft) implements AutoCloseable {
    @Override
    public void close() {
      if (draft != null) {
        draft.model().close();
      }
    }
  }

  /**
   * Loads the draft model for {@code target} with {@code options} (none without --draft).
   *
   * @throws IllegalArgumentException if the vocabularies differ or K is out of range
   */
  Loaded load(Model target, Model.Options options) {
    if (draft == null) {
      return new Loaded(null);
    }
    int most = Math.min(target.prefillChunk(), Speculation.MAX_PASS) - 1;
    if (tokens < 1 || tokens > most) {
      throw new IllegalArgumentException("--draft-tokens must be 1.." + most + ", got " + tokens);
    }
    Model model = Model.load(ModelStore.fromEnvironment().resolve(draft), options);
    try {
      return new Loaded(DraftModel.of(model, target, tokens));
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }
}
