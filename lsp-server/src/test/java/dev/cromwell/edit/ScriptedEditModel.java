package dev.cromwell.edit;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Scripted answers, one per generation in order, through SmolLM2's chat template (a stub: it proves
 * the plumbing only). Public for the LSP server's tests of the same paths.
 */
public class ScriptedEditModel implements EditModel {
  /** The answers in order; null stands for a fill cut short. */
  public final List<String> answers;

  /** Every prompt, in order (written by the edit's thread, read by the test's). */
  public final List<String> prompts = new CopyOnWriteArrayList<>();

  public ScriptedEditModel(String... answers) {
    this.answers = java.util.Arrays.asList(answers);
  }

  @Override
  public String generate(
      String prompt,
      int maxTokens,
      List<String> stops,
      BooleanSupplier cancelled,
      Predicate<String> enough) {
    prompts.add(prompt);
    return answers.get(prompts.size() - 1);
  }

  @Override
  public String chatTemplate() {
    return dev.cromwell.chat.ChatResources.read("smollm2-135m-instruct.jinja");
  }

  @Override
  public int countTokens(String text) {
    return text.length() / 3 + 1;
  }
}
