package dev.cromwell.service;

import dev.cromwell.engine.tokenizer.IntList;
import dev.cromwell.engine.tokenizer.Tokenizer;
import dev.cromwell.protocol.FimFormat;
import java.util.List;

/** Prompt parts to token ids: BOS if the model wants it, markers as their special tokens. */
public final class PromptTokens {
  private PromptTokens() {}

  public static int[] of(Tokenizer tokenizer, List<FimFormat.Part> prompt) {
    IntList out = new IntList();
    if (tokenizer.vocabulary().addBos()) {
      out.add(tokenizer.vocabulary().bosId());
    }
    for (FimFormat.Part p : prompt) {
      switch (p) {
        case FimFormat.Part.Marker m ->
            out.add(
                tokenizer
                    .vocabulary()
                    .id(m.token())
                    .orElseThrow(
                        () -> new IllegalStateException("the vocabulary lacks " + m.token())));
        case FimFormat.Part.Text x -> out.addAll(tokenizer.encode(x.text(), false));
      }
    }
    return out.toArray();
  }

  /** Text whose special-token markers (e.g. a chat template's) become their tokens. */
  public static int[] ofMarkedText(Tokenizer tokenizer, String text) {
    int[] encoded = tokenizer.encode(text, true);
    if (!tokenizer.vocabulary().addBos()) {
      return encoded;
    }
    int[] out = new int[encoded.length + 1];
    out[0] = tokenizer.vocabulary().bosId();
    System.arraycopy(encoded, 0, out, 1, encoded.length);
    return out;
  }
}
