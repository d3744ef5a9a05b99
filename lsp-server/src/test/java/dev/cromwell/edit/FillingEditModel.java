package dev.cromwell.edit;

import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A scripted model with a fill-in-the-middle format that scores the second line of a two-line
 * selection lowest (-9, below the suspect's threshold), so that a fix answered unchanged has that
 * line filled in: the answers are the first look, the fill, then any second look.
 */
public class FillingEditModel extends ScriptedEditModel {
  public FillingEditModel(String... answers) {
    super(answers);
  }

  @Override
  public LineScores lineScores(String context, String text, BooleanSupplier cancelled) {
    return LineScores.of(new double[] {-1, -9, 0});
  }

  @Override
  public dev.cromwell.protocol.FimFormat fimFormat() {
    return dev.cromwell.protocol.FimFormat.QWEN;
  }

  /** The next scripted answer, or null (a fill cut short) for an answer of null. */
  @Override
  public String fill(
      List<dev.cromwell.protocol.FimFormat.Part> parts,
      int maxTokens,
      List<String> stops,
      BooleanSupplier cancelled) {
    if (!stops.equals(List.of("\n"))) {
      throw new AssertionError("a fill stops at the line end, not at " + stops);
    }
    prompts.add(dev.cromwell.protocol.FimFormat.toText(parts));
    return answers.get(prompts.size() - 1);
  }
}
