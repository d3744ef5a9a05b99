package dev.cromwell.edit;

import dev.cromwell.chat.ChatFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * A real model's {@link EditModel} that records every prompt and answer; the first answers may be
 * scripted (a 135M model will not reliably give the one a test needs), the rest are the model's.
 */
final class RecordingEditModel implements EditModel {
  private final ModelEditModel model;
  private final List<String> scripted;
  final List<String> prompts = new ArrayList<>();
  final List<String> answers = new ArrayList<>();

  private final boolean scoring;

  RecordingEditModel(ModelEditModel model, String... scriptedFirstAnswers) {
    this(model, false, scriptedFirstAnswers);
  }

  /**
   * @param scoring whether the real model scores lines (and so names a suspect line) and fills in
   *     the middle; without, the fix path goes as for a model that cannot
   */
  RecordingEditModel(ModelEditModel model, boolean scoring, String... scriptedFirstAnswers) {
    this.model = model;
    this.scoring = scoring;
    this.scripted = List.of(scriptedFirstAnswers);
  }

  @Override
  public LineScores lineScores(String context, String text, BooleanSupplier cancelled) {
    return scoring ? model.lineScores(context, text, cancelled) : LineScores.none();
  }

  @Override
  public dev.cromwell.protocol.FimFormat fimFormat() {
    return scoring ? model.fimFormat() : dev.cromwell.protocol.FimFormat.PREFIX_ONLY;
  }

  @Override
  public String fill(
      List<dev.cromwell.protocol.FimFormat.Part> parts,
      int maxTokens,
      List<String> stops,
      BooleanSupplier cancelled) {
    prompts.add(dev.cromwell.protocol.FimFormat.toText(parts));
    String answer = scoring ? model.fill(parts, maxTokens, stops, cancelled) : null;
    answers.add(answer);
    return answer;
  }

  @Override
  public String generate(
      String prompt,
      int maxTokens,
      List<String> stops,
      BooleanSupplier cancelled,
      Predicate<String> enough) {
    prompts.add(prompt);
    String answer =
        prompts.size() <= scripted.size()
            ? scripted.get(prompts.size() - 1)
            : model.generate(prompt, maxTokens, stops, cancelled, enough);
    answers.add(answer);
    return answer;
  }

  @Override
  public String chatTemplate() {
    return model.chatTemplate();
  }

  @Override
  public ChatFormat chatFormat() {
    return model.chatFormat();
  }

  @Override
  public int countTokens(String text) {
    return model.countTokens(text);
  }
}
