package dev.cromwell.benchmarks.eval;

import dev.cromwell.edit.EditModel;
import dev.cromwell.edit.LineScores;
import dev.cromwell.edit.ModelEditModel;
import dev.cromwell.engine.generate.GenerationStats;
import dev.cromwell.engine.model.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * The edit model of {@code bin/eval --speculate A,B,...}: every generation an edit asks for runs
 * once per speculation setting, one after the other, and the first setting's answer is what the
 * edit gets (so the quality tables are the first setting's). The order rotates from one generation
 * to the next so that a machine whose load changes slows every setting alike. Each run's timings
 * and answer are kept for {@link #markdown}: speed against the first setting, drafts accepted, and
 * whether the answer is byte for byte the first setting's.
 */
final class ComparingEditModel implements EditModel {
  /** One setting's run of one generation. */
  record Run(String task, int setting, GenerationStats stats, double seconds, String answer) {}

  private final Model model;
  private final List<SpeculationSetting> settings;
  private final List<ModelEditModel> models = new ArrayList<>();
  private final List<Run> runs = new ArrayList<>();
  private GenerationStats last;
  private String task = "";
  private int generations;

  ComparingEditModel(Model model, List<SpeculationSetting> settings) {
    this.model = model;
    this.settings = List.copyOf(settings);
    freshModels();
  }

  /**
   * This model, naming the task whose generations follow. Each task starts with fresh edit models:
   * a ModelEditModel keeps its last session for the next turn of the same edit, and a task's answer
   * must not depend on which task ran before it.
   */
  ComparingEditModel forTask(String id) {
    task = id;
    freshModels();
    return this;
  }

  private void freshModels() {
    models.clear();
    for (SpeculationSetting s : settings) {
      models.add(
          new ModelEditModel(
              model,
              null,
              request -> s.speculation(request, model.config()),
              stats -> last = stats));
    }
  }

  @Override
  public String generate(
      String prompt,
      int maxTokens,
      List<String> stopStrings,
      BooleanSupplier cancelled,
      Predicate<String> enough) {
    String[] answers = new String[settings.size()];
    int first = generations++ % settings.size();
    for (int k = 0; k < settings.size(); k++) {
      int i = (first + k) % settings.size();
      long t0 = System.nanoTime();
      answers[i] = models.get(i).generate(prompt, maxTokens, stopStrings, cancelled, enough);
      double seconds = (System.nanoTime() - t0) / 1e9;
      runs.add(new Run(task, i, last, seconds, answers[i]));
    }
    return answers[0];
  }

  /**
   * The first setting's scores. Every setting's model scores, so that each holds the scored prompt
   * head for its generation as {@code EditService} leaves it, and their timings stay comparable.
   */
  @Override
  public LineScores lineScores(String context, String text, BooleanSupplier cancelled) {
    LineScores first = null;
    for (ModelEditModel m : models) {
      LineScores scores = m.lineScores(context, text, cancelled);
      first = first == null ? scores : first;
    }
    return first;
  }

  @Override
  public String chatTemplate() {
    return models.getFirst().chatTemplate();
  }

  @Override
  public int countTokens(String text) {
    return models.getFirst().countTokens(text);
  }

  @Override
  public dev.cromwell.chat.ChatFormat chatFormat() {
    return models.getFirst().chatFormat();
  }

  @Override
  public long parameters() {
    return models.getFirst().parameters();
  }

  @Override
  public dev.cromwell.protocol.FimFormat fimFormat() {
    return models.getFirst().fimFormat();
  }

  /** The first setting's fill (a fill is one line: every setting's would be the same). */
  @Override
  public String fill(
      List<dev.cromwell.protocol.FimFormat.Part> parts,
      int maxTokens,
      List<String> stopStrings,
      BooleanSupplier cancelled) {
    return models.getFirst().fill(parts, maxTokens, stopStrings, cancelled);
  }

  /**
   * Per task and setting: tokens, seconds (the generation call, prompt included), the prompt tokens
   * computed and their seconds (a task's first generation computes its whole prompt; a follow-up
   * turn of the same edit only what it adds), drafts accepted, speed against the first setting,
   * identical answer; then the totals per setting. The prompt's share is the part speculation
   * cannot speed up.
   */
  String markdown(String load) {
    StringBuilder md = new StringBuilder();
    md.append(
        "| task | setting | tokens | seconds | prompt computed | prompt s | drafts accepted | speedup"
            + " | identical |\n");
    md.append("|---|---|---|---|---|---|---|---|---|\n");
    int n = settings.size();
    double[] seconds = new double[n];
    double[] promptSeconds = new double[n];
    int[] tokens = new int[n];
    int[] drafted = new int[n];
    int[] accepted = new int[n];
    int[] identical = new int[n];
    int groups = runs.size() / n;
    for (int g = 0; g < groups; g++) {
      Run[] group = new Run[n];
      for (Run r : runs.subList(g * n, (g + 1) * n)) {
        group[r.setting()] = r;
      }
      for (int i = 0; i < n; i++) {
        Run r = group[i];
        boolean same = r.answer().equals(group[0].answer());
        seconds[i] += r.seconds();
        promptSeconds[i] += r.stats().promptNanos() / 1e9;
        tokens[i] += r.stats().generatedTokens();
        drafted[i] += r.stats().draftedTokens();
        accepted[i] += r.stats().acceptedDrafts();
        identical[i] += same ? 1 : 0;
        md.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %d | %.1f | %d | %.2f | %s | %.2f× | %s |%n",
                r.task(),
                settings.get(i).name(),
                r.stats().generatedTokens(),
                r.seconds(),
                r.stats().promptTokens() - r.stats().promptTokensReused(),
                r.stats().promptNanos() / 1e9,
                drafts(r.stats().acceptedDrafts(), r.stats().draftedTokens()),
                group[0].seconds() / r.seconds(),
                same ? "yes" : "**no**"));
      }
    }
    md.append("\n| setting | generations | tokens | seconds | prompt s | speedup (total time) ")
        .append("| drafts accepted | identical to ")
        .append(settings.getFirst().name())
        .append(" |\n|---|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < n; i++) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %d | %.1f | %.1f | %.2f× | %s | %d/%d |%n",
              settings.get(i).name(),
              groups,
              tokens[i],
              seconds[i],
              promptSeconds[i],
              seconds[0] / seconds[i],
              drafts(accepted[i], drafted[i]),
              identical[i],
              groups));
    }
    md.append("\nLoad average (1, 5, 15 min) at the end: ").append(load).append('\n');
    return md.toString();
  }

  private static String drafts(int accepted, int drafted) {
    return drafted == 0
        ? "–"
        : String.format(
            Locale.ROOT, "%d/%d (%.0f%%)", accepted, drafted, 100.0 * accepted / drafted);
  }
}
