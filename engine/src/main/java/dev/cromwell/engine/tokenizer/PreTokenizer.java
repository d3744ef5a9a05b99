package dev.cromwell.engine.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into words before byte-level BPE, with the regular expressions of each model family
 * (GGUF {@code tokenizer.ggml.pre}).
 *
 * <p>A family may have several expressions, applied in turn: each splits every piece from the
 * previous step into its matches and the text between them, which stays a piece of its own.
 */
public enum PreTokenizer {
  LLAMA3(
      true,
      "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
          + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
  QWEN2(
      false,
      "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
          + "|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
  GPT2(false, "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"),
  STARCODER(
      false,
      "\\p{N}",
      "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)"),
  DEEPSEEK_CODER(
      false,
      "[\\r\\n]",
      "\\s?\\p{L}+",
      "\\s?\\p{P}+",
      "[\\u4e00-\\u9fa5\\u0800-\\u4e00\\uac00-\\ud7ff]+",
      "\\p{N}"),
  /**
   * Cromwell's own code-aware split (training/cromwell_train/code_tokenizer.py): digits alone,
   * words and symbol runs with at most one leading space, each line break alone (no token spans
   * lines), runs of spaces and tabs (indentation) alone. Explicit classes instead of {@code \\s}
   * keep it identical to the Oniguruma expression the Python tokenizer was trained with.
   */
  CROMWELL_CODE(false, "\\p{N}| ?\\p{L}+| ?[^\\r\\n\\p{L}\\p{N} \\t]+|\\r?\\n|[ \\t]+"),
  DEFAULT(
      false,
      "[\\p{P}\\$\\+<=>\\^~\\|]+",
      "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)",
      "\\p{N}+",
      "[0-9][0-9][0-9]");

  private final boolean ignoreMerges;
  private final Pattern[] patterns;

  PreTokenizer(boolean ignoreMerges, String... expressions) {
    this.ignoreMerges = ignoreMerges;
    this.patterns = new Pattern[expressions.length];
    for (int i = 0; i < expressions.length; i++) {
      // Unicode classes: \s must mean Unicode white space, as in the tokenizers' reference.
      patterns[i] = Pattern.compile(expressions[i], Pattern.UNICODE_CHARACTER_CLASS);
    }
  }

  /**
   * Whether a word that is itself a token is taken whole, without merges (Llama 3's tokenizer does
   * this).
   */
  public boolean ignoreMerges() {
    return ignoreMerges;
  }

  /** The pre-tokenizer for a {@code tokenizer.ggml.pre} name, or {@code null} if unknown. */
  public static PreTokenizer forName(String name) {
    if (name == null || name.isEmpty()) {
      return DEFAULT;
    }
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "default" -> DEFAULT;
      case "llama3", "llama-v3", "llama-bpe", "falcon3", "pixtral", "dbrx", "smaug-bpe" -> LLAMA3;
      case "qwen2", "deepseek-r1-qwen", "megrez", "stablelm2" -> QWEN2;
      case "gpt-2",
          "gpt2",
          "phi-2",
          "jina-es",
          "jina-de",
          "jina-v2-es",
          "jina-v2-de",
          "mpt",
          "olmo",
          "jais" ->
          GPT2;
      case "starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b" ->
          STARCODER;
      case "deepseek-coder" -> DEEPSEEK_CODER;
      case "cromwell-code" -> CROMWELL_CODE;
      default -> null;
    };
  }

  /** Splits {@code text} into words. */
  public List<String> split(String text) {
    List<String> pieces = new ArrayList<>();
    if (text.isEmpty()) {
      return pieces;
    }
    pieces.add(text);
    for (Pattern pattern : patterns) {
      List<String> next = new ArrayList<>(pieces.size() * 2);
      for (String piece : pieces) {
        Matcher m = pattern.matcher(piece);
        int last = 0;
        while (m.find()) {
          if (m.start() == m.end()) {
            continue;
          }
          if (m.start() > last) {
            next.add(piece.substring(last, m.start()));
          }
          next.add(piece.substring(m.start(), m.end()));
          last = m.end();
        }
        if (last < piece.length()) {
          next.add(piece.substring(last));
        }
      }
      pieces = next;
    }
    return pieces;
  }
}
