package dev.cromwell.lsp;

import dev.cromwell.engine.generate.GenerationRequest;
import dev.cromwell.engine.generate.GenerationResult;
import dev.cromwell.engine.generate.Generator;
import dev.cromwell.engine.generate.SamplerSettings;
import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.model.Session;
import dev.cromwell.engine.tokenizer.IntList;
import dev.cromwell.engine.tokenizer.Tokenizer;
import dev.cromwell.protocol.FimFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Completions from a loaded model: greedy decoding in the model's FIM format, one session per
 * document.
 */
final class ModelCompleter implements Completer {
  private final Model model;
  private final SessionPool sessions;
  private final FimFormat format;
  private final Set<Integer> stopTokens = new HashSet<>();
  private final boolean kvReuse;

  ModelCompleter(Model model, long memoryBudgetBytes) {
    this(model, memoryBudgetBytes, true);
  }

  ModelCompleter(Model model, long memoryBudgetBytes, boolean kvReuse) {
    this.kvReuse = kvReuse;
    this.model = model;
    this.sessions = new SessionPool(model, memoryBudgetBytes);
    Tokenizer t = model.tokenizer();
    this.format = FimFormat.detect(text -> t.vocabulary().id(text).isPresent());
    for (String stop : format.stopTokens()) {
      t.vocabulary().id(stop).ifPresent(stopTokens::add);
    }
  }

  @Override
  public FimFormat format() {
    return format;
  }

  Model model() {
    return model;
  }

  @Override
  public Output complete(
      String documentKey,
      List<FimFormat.Part> prompt,
      GenerationRequest.TextStop stop,
      int maxTokens,
      long timeLimitNanos,
      BooleanSupplier cancelled) {
    int[] tokens = tokens(prompt);
    if (tokens.length == 0) {
      // The cursor at the very start of a file, with a format that puts nothing before it and a
      // model without a BOS token: there is nothing to condition on, so nothing to suggest.
      return new Output("", 0, 0, 0, "empty prompt");
    }
    int room = model.contextLength() - maxTokens - 1;
    if (tokens.length > room) {
      // Keep the end: the cursor is there. (Budgets normally prevent this.)
      tokens = java.util.Arrays.copyOfRange(tokens, tokens.length - room, tokens.length);
    }
    if (!kvReuse) {
      sessions.forget(documentKey); // measure the cost of recomputing every prompt
    }
    Session session = sessions.forDocument(documentKey);
    GenerationRequest request =
        new GenerationRequest(
            tokens,
            maxTokens,
            SamplerSettings.greedy(),
            stopTokens,
            List.of(),
            timeLimitNanos,
            stop);
    GenerationResult result = Generator.generate(session, request, piece -> {}, cancelled);
    return new Output(
        result.text(),
        result.stats().promptTokensReused(),
        result.stats().promptTokens() - result.stats().promptTokensReused(),
        result.stats().generatedTokens(),
        result.stopReason().name().toLowerCase(java.util.Locale.ROOT));
  }

  int[] tokens(List<FimFormat.Part> prompt) {
    Tokenizer t = model.tokenizer();
    IntList out = new IntList();
    if (t.vocabulary().addBos()) {
      out.add(t.vocabulary().bosId());
    }
    for (FimFormat.Part p : prompt) {
      switch (p) {
        case FimFormat.Part.Marker m ->
            out.add(
                t.vocabulary()
                    .id(m.token())
                    .orElseThrow(
                        () -> new IllegalStateException("the vocabulary lacks " + m.token())));
        case FimFormat.Part.Text x -> out.addAll(t.encode(x.text(), false));
      }
    }
    return out.toArray();
  }

  @Override
  public void forget(String documentKey) {
    sessions.forget(documentKey);
  }

  @Override
  public int sessions() {
    return sessions.size();
  }

  @Override
  public dev.cromwell.edit.EditModel editModel() {
    return new dev.cromwell.edit.ModelEditModel(model);
  }

  @Override
  public int countTokens(String text) {
    return model.tokenizer().encode(text, false).length;
  }
}
