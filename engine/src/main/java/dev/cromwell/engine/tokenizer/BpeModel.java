package dev.cromwell.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE (GPT-2, Llama 3, Qwen2, StarCoder, DeepSeek-Coder vocabularies): pre-tokenize, map
 * each word's UTF-8 bytes to vocabulary characters, then merge adjacent symbols in order of merge
 * rank until no ranked pair remains.
 */
final class BpeModel implements TokenModel {
  private static final int CACHE_LIMIT = 200_000;

  private final Vocabulary vocabulary;
  private final PreTokenizer preTokenizer;
  private final Map<String, Integer> ranks;
  private final Map<String, int[]> wordCache = new ConcurrentHashMap<>();

  BpeModel(Vocabulary vocabulary, List<String> merges, PreTokenizer preTokenizer) {
    this.vocabulary = vocabulary;
    this.preTokenizer = preTokenizer;
    this.ranks = new HashMap<>(merges.size() * 2);
    for (int i = 0; i < merges.size(); i++) {
      ranks.putIfAbsent(merges.get(i), i);
    }
  }

  PreTokenizer preTokenizer() {
    return preTokenizer;
  }

  @Override
  public void encode(String text, boolean afterSpecial, IntList out) {
    for (String word : preTokenizer.split(text)) {
      String encoded = ByteLevel.encode(word.getBytes(StandardCharsets.UTF_8));
      int[] ids = wordCache.get(encoded);
      if (ids == null) {
        ids = encodeWord(encoded);
        if (wordCache.size() > CACHE_LIMIT) {
          wordCache.clear();
        }
        wordCache.put(encoded, ids);
      }
      out.addAll(ids);
    }
  }

  private record Bigram(int left, int right, String text, int rank) {}

  private int[] encodeWord(String word) {
    IntList out = new IntList();
    if (preTokenizer.ignoreMerges()) {
      Integer whole = vocabulary.ids().get(word);
      if (whole != null) {
        out.add(whole);
        return out.toArray();
      }
    }
    // Symbols form a linked list over the word's characters; a merged-away symbol has length 0.
    int n = word.length();
    int[] start = new int[n];
    int[] length = new int[n];
    int[] prev = new int[n];
    int[] next = new int[n];
    for (int i = 0; i < n; i++) {
      start[i] = i;
      length[i] = 1;
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
    }
    PriorityQueue<Bigram> queue =
        new PriorityQueue<>(
            (a, b) ->
                a.rank != b.rank
                    ? Integer.compare(a.rank, b.rank)
                    : Integer.compare(a.left, b.left));
    for (int i = 1; i < n; i++) {
      offer(queue, word, start, length, i - 1, i);
    }
    while (!queue.isEmpty()) {
      Bigram b = queue.poll();
      if (length[b.left] == 0 || length[b.right] == 0) {
        continue;
      }
      String current =
          word.substring(start[b.left], start[b.left] + length[b.left])
              + word.substring(start[b.right], start[b.right] + length[b.right]);
      if (!current.equals(b.text)) {
        continue; // outdated: one side has merged since this pair was queued
      }
      length[b.left] += length[b.right];
      length[b.right] = 0;
      next[b.left] = next[b.right];
      if (next[b.right] >= 0) {
        prev[next[b.right]] = b.left;
      }
      offer(queue, word, start, length, prev[b.left], b.left);
      offer(queue, word, start, length, b.left, next[b.left]);
    }
    for (int i = 0; i != -1 && n > 0; i = next[i]) {
      String symbol = word.substring(start[i], start[i] + length[i]);
      Integer id = vocabulary.ids().get(symbol);
      if (id != null) {
        out.add(id);
      } else {
        for (int c = 0; c < symbol.length(); c++) {
          Integer single = vocabulary.ids().get(String.valueOf(symbol.charAt(c)));
          if (single != null) {
            out.add(single);
          }
        }
      }
    }
    return out.toArray();
  }

  private void offer(
      PriorityQueue<Bigram> queue, String word, int[] start, int[] length, int left, int right) {
    if (left < 0 || right < 0) {
      return;
    }
    String l = word.substring(start[left], start[left] + length[left]);
    String r = word.substring(start[right], start[right] + length[right]);
    Integer rank = ranks.get(l + " " + r);
    if (rank != null) {
      queue.add(new Bigram(left, right, l + r, rank));
    }
  }

  @Override
  public byte[] bytes(int id, boolean renderSpecial) {
    String text = vocabulary.text(id);
    return switch (vocabulary.type(id)) {
      case CONTROL -> renderSpecial ? text.getBytes(StandardCharsets.UTF_8) : new byte[0];
      case USER_DEFINED -> text.getBytes(StandardCharsets.UTF_8);
      default -> {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
          int b = ByteLevel.decode(text.charAt(i));
          if (b >= 0) {
            out.write(b);
          } else {
            // Not a byte-level character: keep the character's own UTF-8 bytes.
            out.writeBytes(String.valueOf(text.charAt(i)).getBytes(StandardCharsets.UTF_8));
          }
        }
        yield out.toByteArray();
      }
    };
  }

  @Override
  public boolean stripsLeadingSpace() {
    return false;
  }
}
