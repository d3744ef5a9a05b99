package dev.cromwell.prompt;

import dev.cromwell.engine.tokenizer.IntList;
import dev.cromwell.engine.tokenizer.Tokenizer;
import dev.cromwell.protocol.FimFormat;
import java.util.List;

/** Prompt parts to token ids: BOS if the model wants it, markers as their special tokens. */
public final class PromptTokens {
  private PromptTokens() {}

  public static int[] of(Tokenizer tokenizer, List<FimFormat.Part> prompt) {
    return encode(tokenizer, prompt, -1).tokens();
  }

  /** Prompt tokens, and where part {@code cursorPart} ends among them (-1: not known). */
  public record Encoded(int[] tokens, int cursorEnd) {}

  /**
   * As {@link #of}, also saying where the part before the cursor ({@code cursorPart}, e.g. {@link
   * FimFormat#cursorPart}) ends, which token healing needs.
   */
  public static Encoded encode(Tokenizer tokenizer, List<FimFormat.Part> prompt, int cursorPart) {
    IntList out = new IntList();
    if (tokenizer.vocabulary().addBos()) {
      out.add(tokenizer.vocabulary().bosId());
    }
    int cursorEnd = -1;
    for (int i = 0; i < prompt.size(); i++) {
      switch (prompt.get(i)) {
        case FimFormat.Part.Marker m ->
            out.add(
                tokenizer
                    .vocabulary()
                    .id(m.token())
                    .orElseThrow(
                        () -> new IllegalStateException("the vocabulary lacks " + m.token())));
        case FimFormat.Part.Text x -> out.addAll(tokenizer.encode(x.text(), false));
      }
      if (i == cursorPart) {
        cursorEnd = out.size();
      }
    }
    return new Encoded(out.toArray(), cursorEnd);
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
