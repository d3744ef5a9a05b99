package dev.cromwell.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.PriorityQueue;

/**
 * SentencePiece-style BPE (Llama 2 vocabularies, GGUF {@code tokenizer.ggml.model = llama}): spaces
 * become "▁", a space is prefixed to text that starts a fragment, adjacent symbols merge highest
 * score first, and characters without a token fall back to {@code <0xXX>} byte tokens.
 */
final class SpmModel implements TokenModel {
  static final char SPACE = '\u2581';

  private final Vocabulary vocabulary;
  private final int[] byteTokens = new int[256];

  SpmModel(Vocabulary vocabulary) {
    this.vocabulary = vocabulary;
    for (int b = 0; b < 256; b++) {
      byteTokens[b] = vocabulary.id(String.format("<0x%02X>", b)).orElse(-1);
    }
  }

  private record Bigram(int left, int right, float score, int size) {}

  @Override
  public void encode(String fragment, boolean afterSpecial, IntList out) {
    String text = ((vocabulary.addSpacePrefix() && afterSpecial) ? " " : "") + fragment;
    text = text.replace(' ', SPACE);
    if (text.isEmpty()) {
      return;
    }
    // One symbol per code point, linked; a merged-away symbol has length 0.
    int n = text.codePointCount(0, text.length());
    int[] start = new int[n];
    int[] length = new int[n];
    int[] prev = new int[n];
    int[] next = new int[n];
    for (int i = 0, offset = 0; i < n; i++) {
      int cp = text.codePointAt(offset);
      start[i] = offset;
      length[i] = Character.charCount(cp);
      offset += length[i];
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
    }
    PriorityQueue<Bigram> queue =
        new PriorityQueue<>(
            (a, b) ->
                a.score != b.score
                    ? Float.compare(b.score, a.score)
                    : Integer.compare(a.left, b.left));
    for (int i = 1; i < n; i++) {
      offer(queue, text, start, length, i - 1, i);
    }
    while (!queue.isEmpty()) {
      Bigram b = queue.poll();
      if (length[b.left] == 0
          || length[b.right] == 0
          || length[b.left] + length[b.right] != b.size) {
        continue;
      }
      length[b.left] += length[b.right];
      length[b.right] = 0;
      next[b.left] = next[b.right];
      if (next[b.right] >= 0) {
        prev[next[b.right]] = b.left;
      }
      offer(queue, text, start, length, prev[b.left], b.left);
      offer(queue, text, start, length, b.left, next[b.left]);
    }
    for (int i = 0; i != -1; i = next[i]) {
      emit(text.substring(start[i], start[i] + length[i]), out);
    }
  }

  private void offer(
      PriorityQueue<Bigram> queue, String text, int[] start, int[] length, int left, int right) {
    if (left < 0 || right < 0) {
      return;
    }
    String merged = text.substring(start[left], start[left] + length[left] + length[right]);
    Integer id = vocabulary.ids().get(merged);
    if (id == null) {
      return;
    }
    queue.add(new Bigram(left, right, vocabulary.scores()[id], merged.length()));
  }

  /**
   * Emits a symbol's token. Merged symbols always are tokens (a pair merges only if its text is
   * one), so only single characters can be missing; those fall back to their UTF-8 byte tokens.
   */
  private void emit(String symbol, IntList out) {
    Integer id = vocabulary.ids().get(symbol);
    if (id != null) {
      out.add(id);
      return;
    }
    for (byte b : symbol.getBytes(StandardCharsets.UTF_8)) {
      int byteToken = byteTokens[b & 0xff];
      if (byteToken >= 0) {
        out.add(byteToken);
      }
    }
  }

  @Override
  public byte[] bytes(int id, boolean renderSpecial) {
    String text = vocabulary.text(id);
    return switch (vocabulary.type(id)) {
      case CONTROL -> renderSpecial ? text.getBytes(StandardCharsets.UTF_8) : new byte[0];
      case BYTE -> new byte[] {(byte) Integer.parseInt(text.substring(3, 5), 16)};
      case UNKNOWN ->
          renderSpecial
              ? text.getBytes(StandardCharsets.UTF_8)
              : "\u2585".getBytes(StandardCharsets.UTF_8);
      default -> text.replace(SPACE, ' ').getBytes(StandardCharsets.UTF_8);
    };
  }

  @Override
  public boolean stripsLeadingSpace() {
    return vocabulary.addSpacePrefix();
  }
}
