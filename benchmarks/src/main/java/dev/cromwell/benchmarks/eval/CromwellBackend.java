package dev.cromwell.benchmarks.eval;

import dev.cromwell.edit.EditModel;
import dev.cromwell.edit.ModelEditModel;
import dev.cromwell.engine.generate.GenerationRequest;
import dev.cromwell.engine.generate.Generator;
import dev.cromwell.engine.generate.SamplerSettings;
import dev.cromwell.engine.model.Model;
import dev.cromwell.prompt.FimTokens;
import dev.cromwell.prompt.PromptTokens;
import dev.cromwell.protocol.FimFormat;
import java.util.List;
import java.util.Set;

/**
 * Cromwell's engine, greedy: a fresh session per completion prompt; edits through a {@link
 * ModelEditModel}, whose follow-up turns reuse the edit's session.
 */
public final class CromwellBackend implements Backend {
  private final Model model;
  private final FimFormat format;
  private final Set<Integer> stopTokens;

  public CromwellBackend(Model model) {
    this.model = model;
    FimTokens fim = FimTokens.of(model.tokenizer());
    this.format = fim.format();
    this.stopTokens = fim.stopIds();
  }

  public Model model() {
    return model;
  }

  /** The model's FIM format (PREFIX_ONLY when its vocabulary has no FIM tokens). */
  public FimFormat format() {
    return format;
  }

  @Override
  public String name() {
    return "Cromwell";
  }

  @Override
  public String complete(List<FimFormat.Part> prompt, int maxTokens, List<String> stops) {
    int[] tokens = PromptTokens.of(model.tokenizer(), prompt);
    int room = Math.max(1, model.contextLength() - tokens.length - 1);
    var request =
        new GenerationRequest(
            tokens, Math.min(maxTokens, room), SamplerSettings.greedy(), stopTokens, stops, 0);
    return Generator.generate(model.newSession(), request, piece -> {}, () -> false).text();
  }

  @Override
  public EditModel editModel() {
    return new ModelEditModel(model);
  }
}
