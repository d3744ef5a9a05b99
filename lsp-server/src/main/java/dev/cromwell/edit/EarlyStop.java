package dev.cromwell.edit;

import dev.cromwell.engine.generate.Generator;
import java.util.function.Predicate;

/**
 * Watches an edit's answer as it is generated, piece by piece, and tells the generation to stop
 * once {@code enough} holds for the text so far ({@link EditModel#generate(String, int,
 * java.util.List, java.util.function.BooleanSupplier, Predicate)}). The answer is then the text up
 * to that piece: cut at the same place whether tokens come one at a time or several per step
 * (speculation), so the answer does not depend on how it was decoded.
 */
public final class EarlyStop implements Generator.Listener {
  // The batching scheduler's thread appends and reads; a StringBuffer keeps that safe.
  private final StringBuffer text = new StringBuffer();
  private final Predicate<String> enough;
  private volatile boolean reached;

  public EarlyStop(Predicate<String> enough) {
    this.enough = enough;
  }

  @Override
  public void onText(String piece) {
    if (!reached) {
      text.append(piece);
      reached = enough.test(text.toString());
    }
  }

  /** True once the answer holds enough. */
  public boolean reached() {
    return reached;
  }

  /** The answer: the text up to where it held enough, else the generation's own {@code result}. */
  public String answer(String result) {
    return reached ? text.toString() : result;
  }
}
