package dev.cromwell.edit;

import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/** The model behind edits: a loaded GGUF model, or fixed answers in tests. */
public interface EditModel {
  /**
   * Generates greedily from {@code prompt} until an end token, a stop string or the limit, stopping
   * early once {@code enough} holds for the text generated so far (the answer is then that text).
   * Models that cannot watch their text as it grows generate the whole answer.
   */
  String generate(
      String prompt,
      int maxTokens,
      List<String> stopStrings,
      BooleanSupplier cancelled,
      Predicate<String> enough);

  /** As {@link #generate(String, int, List, BooleanSupplier, Predicate)}, to the whole answer. */
  default String generate(
      String prompt, int maxTokens, List<String> stopStrings, BooleanSupplier cancelled) {
    return generate(prompt, maxTokens, stopStrings, cancelled, text -> false);
  }

  /**
   * How likely the model finds each line of {@code text} where it follows {@code context}: per
   * line, the natural log-probability of its least likely token (0 for a line without one), and
   * what the model expected at that token. {@link LineScores#none} when this model cannot score
   * text (fixed answers in tests, a remote server) or when {@code cancelled} stopped it; callers
   * then go on without the scores.
   */
  default LineScores lineScores(String context, String text, BooleanSupplier cancelled) {
    return LineScores.none();
  }

  /** The model's chat template ({@code tokenizer.chat_template}), or null for base models. */
  String chatTemplate();

  int countTokens(String text);

  /**
   * How chat prompts are written for this model (its template through the Jinja renderer), or null
   * for base models.
   */
  default dev.cromwell.chat.ChatFormat chatFormat() {
    String template = chatTemplate();
    return template == null ? null : dev.cromwell.chat.ChatFormat.of(template, "", "");
  }

  /**
   * The model's fill-in-the-middle format, in which {@link #fill}'s prompts are rendered, or {@link
   * dev.cromwell.protocol.FimFormat#PREFIX_ONLY} when it has none or cannot be asked so (fixed
   * answers in tests, a remote server).
   */
  default dev.cromwell.protocol.FimFormat fimFormat() {
    return dev.cromwell.protocol.FimFormat.PREFIX_ONLY;
  }

  /**
   * Fills the gap of a fill-in-the-middle prompt ({@code parts}, rendered in {@link #fimFormat})
   * greedily, ending at the format's stop tokens, an end token or one of {@code stopStrings}; null
   * when this model cannot, or when the answer did not end by itself (cut by {@code maxTokens}, a
   * time limit or {@code cancelled}), so that a cut line is never taken for an answer.
   */
  default String fill(
      List<dev.cromwell.protocol.FimFormat.Part> parts,
      int maxTokens,
      List<String> stopStrings,
      BooleanSupplier cancelled) {
    return null;
  }

  /** About how many weights the model has (0 when unknown), which picks the edit format. */
  default long parameters() {
    return 0;
  }

  /**
   * The answer could not start before the request's time ran out: it waited behind other work on a
   * shared model (a server's queue). An answer that started ends at that time with its text so far
   * instead. Front doors say "try again" rather than "failed"; an edit that already has an answer
   * keeps it.
   */
  final class OutOfTime extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OutOfTime(String message) {
      super(message);
    }
  }
}
