package dev.cromwell.context;

/**
 * Weights of the relevance factors (the mission's, plus snippet similarity). All configurable.
 *
 * @param languageMatch bonus when the candidate is in the target's language
 * @param importRelation bonus when either file imports the other
 * @param sharedSymbol bonus per name the target uses that the candidate defines (capped)
 * @param sharedSymbolCap most that shared symbols can add
 * @param recentEdit bonus when the candidate was edited in the last hour
 * @param recentVisit bonus when it was opened in the last hour
 * @param sizePenalty penalty per natural-log token of the candidate's size
 * @param snippetSimilarity weight of the best Jaccard similarity between a window of the candidate
 *     and the lines around the cursor
 */
public record RelevanceWeights(
    double languageMatch,
    double importRelation,
    double sharedSymbol,
    double sharedSymbolCap,
    double recentEdit,
    double recentVisit,
    double sizePenalty,
    double snippetSimilarity) {

  public static RelevanceWeights defaults() {
    return new RelevanceWeights(1.0, 2.0, 0.1, 2.0, 0.5, 0.25, 0.01, 4.0);
  }
}
