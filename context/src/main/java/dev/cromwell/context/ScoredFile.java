package dev.cromwell.context;

import java.util.List;

/** A candidate file's relevance to the target, with the factors that made it. */
public record ScoredFile(IndexedFile file, double score, List<String> reasons) {
  public ScoredFile {
    reasons = List.copyOf(reasons);
  }
}
