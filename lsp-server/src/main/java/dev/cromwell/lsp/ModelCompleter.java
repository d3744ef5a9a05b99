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

  public ModelCompleter(Model model, long memoryBudgetBytes) {
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
    String blanks = trailingBlanks(prompt);
    if (!blanks.isEmpty()) {
      prompt = withoutTrailing(prompt, blanks.length());
    }
    int[] tokens = tokens(prompt);
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
    String text = result.text();
    if (!blanks.isEmpty() && text.startsWith(blanks)) {
      text = text.substring(blanks.length()); // the user typed those already
    }
    return new Output(
        text,
        result.stats().promptTokensReused(),
        result.stats().promptTokens() - result.stats().promptTokensReused(),
        result.stats().generatedTokens(),
        result.stopReason().name().toLowerCase(java.util.Locale.ROOT));
  }

  /**
   * Spaces or tabs that end a prompt after other text on its last line ("return |"). A tokenizer
   * joins a space to the word after it, so a prompt ending in a lone space token is one the model
   * rarely saw (SmolLM2 continues "return " with "10 + a + b", "return" with " a + b"). Such blanks
   * are left out of the prompt and taken off the front of the answer: token healing for the common
   * case. Only a prompt that ends in the document's text (prefix-only) has them at its end.
   */
  static String trailingBlanks(List<FimFormat.Part> prompt) {
    if (prompt.isEmpty() || !(prompt.get(prompt.size() - 1) instanceof FimFormat.Part.Text t)) {
      return "";
    }
    String s = t.text();
    int end = s.length();
    int start = end;
    while (start > 0 && (s.charAt(start - 1) == ' ' || s.charAt(start - 1) == '\t')) {
      start--;
    }
    boolean textBefore = start > 0 && s.charAt(start - 1) != '\n' && s.charAt(start - 1) != '\r';
    return textBefore ? s.substring(start, end) : "";
  }

  private static List<FimFormat.Part> withoutTrailing(List<FimFormat.Part> prompt, int blanks) {
    List<FimFormat.Part> parts = new java.util.ArrayList<>(prompt);
    String last = ((FimFormat.Part.Text) parts.get(parts.size() - 1)).text();
    parts.set(parts.size() - 1, new FimFormat.Part.Text(last.substring(0, last.length() - blanks)));
    return parts;
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
