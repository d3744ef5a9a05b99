package dev.cromwell.engine.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Text ↔ token ids for one model's vocabulary.
 *
 * <p>Encoding first splits out special tokens (user-defined ones always, control ones when asked
 * to), then hands the plain fragments to the vocabulary's model: byte-level BPE or
 * SentencePiece-style BPE. Thread-safe.
 */
public final class Tokenizer {
  private final Vocabulary vocabulary;
  private final TokenModel model;
  private final List<Integer> alwaysSplit;
  private final List<Integer> splitWhenParsingSpecial;
  private final String description;

  Tokenizer(Vocabulary vocabulary, TokenModel model, String description) {
    this.vocabulary = vocabulary;
    this.model = model;
    this.alwaysSplit = vocabulary.splittableTokens(false);
    this.splitWhenParsingSpecial = vocabulary.splittableTokens(true);
    this.description = description;
  }

  public Vocabulary vocabulary() {
    return vocabulary;
  }

  /** One line saying which algorithm and pre-tokenizer this is. */
  public String description() {
    return description;
  }

  /**
   * Token ids of {@code text}, without BOS/EOS.
   *
   * @param parseSpecial whether control tokens written as text (e.g. {@code <|endoftext|>}) become
   *     those tokens; when false they are tokenized as plain text
   */
  public int[] encode(String text, boolean parseSpecial) {
    IntList out = new IntList();
    boolean afterSpecial = true;
    for (Fragment f : partition(text, parseSpecial ? splitWhenParsingSpecial : alwaysSplit)) {
      if (f.token >= 0) {
        out.add(f.token);
        afterSpecial = true;
      } else {
        model.encode(f.text, afterSpecial, out);
        afterSpecial = false;
      }
    }
    return out.toArray();
  }

  /** Bytes of one token; control tokens are empty unless {@code renderSpecial}. */
  public byte[] tokenBytes(int id, boolean renderSpecial) {
    checkId(id);
    return model.bytes(id, renderSpecial);
  }

  /** Decodes a whole sequence (control tokens omitted). */
  public String decode(int[] ids) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int id : ids) {
      bytes.writeBytes(tokenBytes(id, false));
    }
    String text = bytes.toString(StandardCharsets.UTF_8);
    if (model.stripsLeadingSpace() && text.startsWith(" ")) {
      text = text.substring(1);
    }
    return text;
  }

  /** A streaming decoder for generated tokens (which never start with a prefixed space). */
  public Utf8Stream newStream() {
    return new Utf8Stream();
  }

  private void checkId(int id) {
    if (id < 0 || id >= vocabulary.size()) {
      throw new IllegalArgumentException(
          "token id " + id + " is outside the vocabulary (0.." + (vocabulary.size() - 1) + ")");
    }
  }

  private record Fragment(String text, int token) {}

  /** Splits text around occurrences of the given tokens, longest token first. */
  private List<Fragment> partition(String text, List<Integer> specials) {
    List<Fragment> fragments = new ArrayList<>();
    if (text.isEmpty()) {
      return fragments;
    }
    fragments.add(new Fragment(text, -1));
    for (int id : specials) {
      String marker = vocabulary.text(id);
      List<Fragment> next = new ArrayList<>(fragments.size());
      for (Fragment f : fragments) {
        if (f.token >= 0 || !f.text.contains(marker)) {
          next.add(f);
          continue;
        }
        int from = 0;
        int at;
        while ((at = f.text.indexOf(marker, from)) >= 0) {
          if (at > from) {
            next.add(new Fragment(f.text.substring(from, at), -1));
          }
          next.add(new Fragment(marker, id));
          from = at + marker.length();
        }
        if (from < f.text.length()) {
          next.add(new Fragment(f.text.substring(from), -1));
        }
      }
      fragments = next;
    }
    return fragments;
  }
}
