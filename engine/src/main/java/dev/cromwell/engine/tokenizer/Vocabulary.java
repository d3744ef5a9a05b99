package dev.cromwell.engine.tokenizer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The tokens of a model: their texts, kinds and scores, and the ids of the special tokens.
 *
 * @param eosIds every id that ends generation (EOS, EOT, end-of-turn markers)
 */
public record Vocabulary(
    List<String> tokens,
    TokenType[] types,
    float[] scores,
    Map<String, Integer> ids,
    int bosId,
    int eosId,
    int[] eosIds,
    boolean addBos,
    boolean addSpacePrefix) {

  public Vocabulary {
    tokens = List.copyOf(tokens);
    ids = Collections.unmodifiableMap(ids);
  }

  /** Builds the id lookup; when two tokens share a text the first id wins, as in llama.cpp. */
  public static Map<String, Integer> index(List<String> tokens) {
    Map<String, Integer> ids = new HashMap<>(tokens.size() * 2);
    for (int i = 0; i < tokens.size(); i++) {
      ids.putIfAbsent(tokens.get(i), i);
    }
    return ids;
  }

  public int size() {
    return tokens.size();
  }

  public String text(int id) {
    return tokens.get(id);
  }

  public TokenType type(int id) {
    return types[id];
  }

  public OptionalInt id(String text) {
    Integer id = ids.get(text);
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }

  /** Whether generation stops at this token. */
  public boolean isEndOfGeneration(int id) {
    for (int e : eosIds) {
      if (e == id) {
        return true;
      }
    }
    return false;
  }

  /** Control tokens: markers such as {@code <|endoftext|>} that plain text must never produce. */
  public boolean isControl(int id) {
    return types[id] == TokenType.CONTROL;
  }

  /**
   * Tokens that are split out of text before BPE, longest first. User-defined tokens always are
   * (they are part of the added vocabulary); control and unknown tokens only when special-token
   * parsing is on.
   */
  public List<Integer> splittableTokens(boolean parseSpecial) {
    List<Integer> result = new ArrayList<>();
    for (int id = 0; id < tokens.size(); id++) {
      TokenType t = types[id];
      boolean always = t == TokenType.USER_DEFINED;
      boolean special = t == TokenType.CONTROL || t == TokenType.UNKNOWN;
      if ((always || (parseSpecial && special)) && !tokens.get(id).isEmpty()) {
        result.add(id);
      }
    }
    result.sort(
        Comparator.comparingInt((Integer id) -> tokens.get(id).length())
            .reversed()
            .thenComparingInt(id -> id));
    return result;
  }
}
