package dev.cromwell.prompt;

import dev.cromwell.engine.tokenizer.Tokenizer;
import dev.cromwell.protocol.FimFormat;
import java.util.HashSet;
import java.util.Set;

/**
 * The fill-in-the-middle format a model's vocabulary has the tokens for (PREFIX_ONLY when it has
 * none), and the ids of that format's stop tokens the vocabulary has.
 */
public record FimTokens(FimFormat format, Set<Integer> stopIds) {
  public FimTokens {
    stopIds = Set.copyOf(stopIds);
  }

  public static FimTokens of(Tokenizer tokenizer) {
    FimFormat format = FimFormat.detect(text -> tokenizer.vocabulary().id(text).isPresent());
    Set<Integer> stops = new HashSet<>();
    for (String stop : format.stopTokens()) {
      tokenizer.vocabulary().id(stop).ifPresent(stops::add);
    }
    return new FimTokens(format, stops);
  }
}
