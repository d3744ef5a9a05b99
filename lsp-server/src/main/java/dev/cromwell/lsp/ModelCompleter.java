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
public final class ModelCompleter implements Completer {
  private final Model model;
  private final SessionPool sessions;
  private final FimFormat format;
  private final Set<Integer> stopTokens = new HashSet<>();
  private final boolean kvReuse;
  private final TokenHealing healing;

  public ModelCompleter(Model model, long memoryBudgetBytes) {
    this(model, memoryBudgetBytes, true);
  }

  ModelCompleter(Model model, long memoryBudgetBytes, boolean kvReuse) {
    this.kvReuse = kvReuse;
    this.model = model;
    this.sessions = new SessionPool(model, memoryBudgetBytes);
    Tokenizer t = model.tokenizer();
    this.format = FimFormat.detect(text -> t.vocabulary().id(text).isPresent());
    this.healing = new TokenHealing(t);
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
    Encoded encoded = encode(prompt);
    int[] tokens = encoded.tokens();
    int cursorEnd = encoded.cursorEnd();
    if (tokens.length == 0) {
      // The cursor at the very start of a file, with a format that puts nothing before it and a
      // model without a BOS token: there is nothing to condition on, so nothing to suggest.
      return new Output("", 0, 0, 0, "empty prompt");
    }
    int room = model.contextLength() - maxTokens - 1;
    if (tokens.length > room) {
      // Keep the end: the cursor is there. (Budgets normally prevent this.)
      cursorEnd -= tokens.length - room;
      tokens = java.util.Arrays.copyOfRange(tokens, tokens.length - room, tokens.length);
    }
    if (!kvReuse) {
      sessions.forget(documentKey); // measure the cost of recomputing every prompt
    }
    Session session = sessions.forDocument(documentKey);
    TokenHealing.Plan plan = healing.plan(tokens, cursorEnd);
    if (!plan.heals()) {
      return generate(session, tokens, "", maxTokens, stop, timeLimitNanos, cancelled, null);
    }
    // Token healing: run the prompt without its last cursor token, then choose the first
    // token among those that spell its bytes out again (greedily, as the rest is chosen).
    float[] logits;
    try {
      logits = session.prefill(plan.prompt(), cancelled);
    } catch (java.util.concurrent.CancellationException e) {
      return new Output("", session.lastReused(), session.lastComputed(), 0, "cancelled");
    }
    // Prompt tokens reused and computed, and tokens chosen by healing, for the statistics.
    int[] reuse = {session.lastReused(), plan.prompt().length - session.lastReused(), 0};
    if (cancelled.getAsBoolean()) {
      return new Output("", reuse[0], reuse[1], 0, "cancelled");
    }
    int first = healing.choose(logits, plan.removed());
    byte[] chosen = healing.bytes(first);
    byte[] extra = java.util.Arrays.copyOfRange(chosen, plan.removed().length, chosen.length);
    int[] continued = java.util.Arrays.copyOf(plan.prompt(), plan.prompt().length + 1);
    continued[plan.prompt().length] = first;
    reuse[2] = 1;
    String typedPast = new String(extra, java.nio.charset.StandardCharsets.UTF_8);
    return generate(
        session, continued, typedPast, maxTokens - 1, stop, timeLimitNanos, cancelled, reuse);
  }

  /**
   * Generates after {@code tokens}; the suggestion is {@code head} (what healing chose past the
   * typed text) followed by the generated text, and stop rules see it whole.
   */
  private Output generate(
      Session session,
      int[] tokens,
      String head,
      int maxTokens,
      GenerationRequest.TextStop stop,
      long timeLimitNanos,
      BooleanSupplier cancelled,
      int[] reuse) {
    GenerationRequest.TextStop whole =
        head.isEmpty()
            ? stop
            : text -> {
              int cut = stop.cut(head + text);
              return cut < 0 ? -1 : Math.max(0, cut - head.length());
            };
    GenerationRequest request =
        new GenerationRequest(
            tokens,
            Math.max(0, maxTokens),
            SamplerSettings.greedy(),
            stopTokens,
            List.of(),
            timeLimitNanos,
            whole);
    GenerationResult result = Generator.generate(session, request, piece -> {}, cancelled);
    int reused = reuse != null ? reuse[0] : result.stats().promptTokensReused();
    int computed =
        reuse != null
            ? reuse[1]
            : result.stats().promptTokens() - result.stats().promptTokensReused();
    String text = head + result.text();
    int cut = head.isEmpty() ? -1 : stop.cut(text);
    return new Output(
        cut >= 0 ? text.substring(0, Math.min(cut, text.length())) : text,
        reused,
        computed,
        result.stats().generatedTokens() + (reuse != null ? reuse[2] : 0),
        result.stopReason().name().toLowerCase(java.util.Locale.ROOT));
  }

  /** Prompt tokens, and where the text before the cursor ends among them (-1: not known). */
  record Encoded(int[] tokens, int cursorEnd) {}

  Encoded encode(List<FimFormat.Part> prompt) {
    Tokenizer t = model.tokenizer();
    IntList out = new IntList();
    if (t.vocabulary().addBos()) {
      out.add(t.vocabulary().bosId());
    }
    int cursorPart = format.cursorPart(prompt);
    int cursorEnd = -1;
    for (int i = 0; i < prompt.size(); i++) {
      switch (prompt.get(i)) {
        case FimFormat.Part.Marker m ->
            out.add(
                t.vocabulary()
                    .id(m.token())
                    .orElseThrow(
                        () -> new IllegalStateException("the vocabulary lacks " + m.token())));
        case FimFormat.Part.Text x -> out.addAll(t.encode(x.text(), false));
      }
      if (i == cursorPart) {
        cursorEnd = out.size();
      }
    }
    return new Encoded(out.toArray(), cursorEnd);
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
