package dev.cromwell.context;

import java.util.List;
import java.util.Optional;

/**
 * What the model gets to see for one request, within a token budget: deterministic for the same
 * inputs, and explainable piece by piece.
 *
 * @param target workspace-relative path of the file at the cursor
 * @param line cursor line (0-based), or the first line of an edited region
 * @param column cursor column in UTF-16 units, or the last line of an edited region
 * @param counting how tokens were counted
 */
public record PromptPlan(
    String target, int line, int column, int budget, List<PlanPiece> pieces, String counting) {
  public PromptPlan {
    pieces = List.copyOf(pieces);
  }

  public int totalTokens() {
    return pieces.stream().mapToInt(PlanPiece::tokens).sum();
  }

  public Optional<PlanPiece> piece(PlanPiece.Kind kind) {
    return pieces.stream().filter(p -> p.kind() == kind).findFirst();
  }

  public List<PlanPiece> pieces(PlanPiece.Kind kind) {
    return pieces.stream().filter(p -> p.kind() == kind).toList();
  }
}
