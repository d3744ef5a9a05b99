package dev.cromwell.engine.tokenizer;

import dev.cromwell.engine.gguf.GgufFile;
import dev.cromwell.engine.gguf.GgufFormatException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builds a {@link Tokenizer} from the {@code tokenizer.ggml.*} metadata of a GGUF file. */
public final class TokenizerLoader {
  /** Texts of end-of-turn markers that also end generation when the vocabulary has them. */
  private static final List<String> END_MARKERS =
      List.of(
          "<|eot_id|>",
          "<|im_end|>",
          "<|end|>",
          "<end_of_turn>",
          "<|endoftext|>",
          "<|end_of_text|>",
          "<EOT>",
          "<|EOT|>",
          "<\uff5cend\u2581of\u2581sentence\uff5c>");

  private TokenizerLoader() {}

  public static Tokenizer load(GgufFile file) {
    String kind =
        file.string("tokenizer.ggml.model")
            .orElseThrow(() -> missing(file, "tokenizer.ggml.model"));
    List<String> tokens =
        file.strings("tokenizer.ggml.tokens")
            .orElseThrow(() -> missing(file, "tokenizer.ggml.tokens"));
    if (tokens.isEmpty()) {
      throw invalid(file, "tokenizer.ggml.tokens", "the vocabulary is empty");
    }
    TokenType[] types = new TokenType[tokens.size()];
    Arrays.fill(types, TokenType.NORMAL);
    int[] typeIds = file.ints("tokenizer.ggml.token_type").orElse(null);
    if (typeIds != null) {
      requireLength(file, "tokenizer.ggml.token_type", typeIds.length, tokens.size());
      for (int i = 0; i < typeIds.length; i++) {
        types[i] = TokenType.fromId(typeIds[i]);
      }
    }
    float[] scores = file.floats("tokenizer.ggml.scores").orElse(new float[tokens.size()]);
    requireLength(file, "tokenizer.ggml.scores", scores.length, tokens.size());

    boolean spm = kind.equals("llama");
    if (!spm && !kind.equals("gpt2")) {
      throw invalid(
          file,
          "tokenizer.ggml.model",
          "tokenizer \""
              + kind
              + "\" is not supported (supported: gpt2 byte-level BPE, llama SentencePiece BPE)");
    }
    String pre = file.string("tokenizer.ggml.pre").orElse("default");
    PreTokenizer preTokenizer = spm ? null : PreTokenizer.forName(pre);
    String warning = "";
    if (!spm && preTokenizer == null) {
      preTokenizer = PreTokenizer.DEFAULT;
      warning = " (unknown pre-tokenizer \"" + pre + "\", using the default one)";
    }

    Map<String, Integer> ids = Vocabulary.index(tokens);
    int bos = (int) id(file, "tokenizer.ggml.bos_token_id", tokens.size(), spm ? 1 : -1);
    int eos = (int) id(file, "tokenizer.ggml.eos_token_id", tokens.size(), spm ? 2 : -1);
    Set<Integer> ends = new LinkedHashSet<>();
    for (String key :
        List.of(
            "tokenizer.ggml.eos_token_id",
            "tokenizer.ggml.eot_token_id",
            "tokenizer.ggml.eom_token_id")) {
      long id = id(file, key, tokens.size(), -1);
      if (id >= 0) {
        ends.add((int) id);
      }
    }
    if (spm && eos >= 0) {
      ends.add(eos);
    }
    for (String marker : END_MARKERS) {
      Integer id = ids.get(marker);
      if (id != null && (types[id] == TokenType.CONTROL || types[id] == TokenType.USER_DEFINED)) {
        ends.add(id);
      }
    }
    boolean llama3 = preTokenizer == PreTokenizer.LLAMA3;
    boolean addBos = file.bool("tokenizer.ggml.add_bos_token").orElse(spm || llama3) && bos >= 0;
    boolean addSpacePrefix = file.bool("tokenizer.ggml.add_space_prefix").orElse(spm);
    Vocabulary vocabulary =
        new Vocabulary(
            tokens,
            types,
            scores,
            ids,
            bos,
            eos,
            ends.stream().mapToInt(Integer::intValue).toArray(),
            addBos,
            addSpacePrefix);
    if (spm) {
      return new Tokenizer(
          vocabulary,
          new SpmModel(vocabulary),
          "SentencePiece BPE (llama), " + tokens.size() + " tokens");
    }
    List<String> merges =
        file.strings("tokenizer.ggml.merges")
            .orElseThrow(() -> missing(file, "tokenizer.ggml.merges"));
    return new Tokenizer(
        vocabulary,
        new BpeModel(vocabulary, merges, preTokenizer),
        "byte-level BPE (gpt2), pre-tokenizer "
            + pre
            + warning
            + ", "
            + tokens.size()
            + " tokens, "
            + merges.size()
            + " merges");
  }

  private static long id(GgufFile file, String key, int vocabularySize, long fallback) {
    long id = file.integer(key).orElse(fallback);
    if (id >= vocabularySize || id < -1) {
      throw invalid(
          file, key, "token id " + id + " is outside the vocabulary of " + vocabularySize);
    }
    return id;
  }

  private static void requireLength(GgufFile file, String key, int actual, int expected) {
    if (actual != expected) {
      throw invalid(
          file, key, "has " + actual + " entries but the vocabulary has " + expected + " tokens");
    }
  }

  private static GgufFormatException missing(GgufFile file, String key) {
    return invalid(file, key, "missing; this file has no usable tokenizer");
  }

  private static GgufFormatException invalid(GgufFile file, String key, String reason) {
    return new GgufFormatException(file.path(), key, 0, reason);
  }
}
