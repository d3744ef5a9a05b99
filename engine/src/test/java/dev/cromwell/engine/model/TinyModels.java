package dev.cromwell.engine.model;

import dev.cromwell.engine.TestData;
import dev.cromwell.engine.gguf.GgufFile;
import dev.cromwell.kernels.formats.GgmlType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Tiny random-weight models over the real test vocabularies, written on demand. */
public final class TinyModels {
  private TinyModels() {}

  /** A tiny qwen2 model (Qwen2 vocabulary, tied embeddings, Q/K/V bias, NeoX RoPE). */
  public static Path qwen2(Path dir, GgmlType type) {
    return write(dir, RandomModelWriter.Spec.tiny("qwen2", type, 1), "ggml-vocab-qwen2.gguf");
  }

  /** A tiny llama model (Llama 2 SentencePiece vocabulary, untied output, normal RoPE). */
  public static Path llama(Path dir, GgmlType type) {
    return write(dir, RandomModelWriter.Spec.tiny("llama", type, 2), "ggml-vocab-llama-spm.gguf");
  }

  /**
   * A tiny qwen2 model whose vocabulary also has Qwen2.5-Coder's FIM tokens (written over the
   * padding entries 151659–151664, where Qwen2.5-Coder has them).
   */
  public static Path qwen2Coder(Path dir, GgmlType type) {
    Path out = dir.resolve("qwen2-coder-" + type + ".gguf");
    try (GgufFile vocab = GgufFile.open(TestData.tokenizers().resolve("ggml-vocab-qwen2.gguf"))) {
      RandomModelWriter.write(
          RandomModelWriter.Spec.tiny("qwen2", type, 3),
          RandomModelWriter.withQwenCoderFimTokens(RandomModelWriter.tokenizerMetadata(vocab)),
          out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /**
   * A tiny model of a family beyond llama and qwen2 (or a llama variant): {@code qwen3}, {@code
   * llama-rope-freqs} (Llama 3.x), {@code llama-linear} (linear RoPE scaling by 4), {@code
   * starcoder2}, {@code phi3}, {@code gemma}, {@code gemma2}, {@code gemma3}.
   */
  public static Path family(Path dir, String family, GgmlType type) {
    RandomModelWriter.Spec spec =
        switch (family) {
          // Per-head width 32 with 4 heads: the query width (128) is not the model width (64).
          case "qwen3" -> RandomModelWriter.Spec.tiny("qwen3", type, 11).withHeadDim(32);
          case "llama-rope-freqs" ->
              RandomModelWriter.Spec.tiny("llama", type, 12).withRopeScaling(0, true);
          case "llama-linear" ->
              RandomModelWriter.Spec.tiny("llama", type, 13).withRopeScaling(4, false);
          case "gemma3" -> RandomModelWriter.Spec.tiny("gemma3", type, 14).withHeadDim(32);
          default -> RandomModelWriter.Spec.tiny(family, type, 15);
        };
    String vocabulary =
        switch (family) {
          case "qwen3" -> "ggml-vocab-qwen2.gguf";
          case "starcoder2" -> "ggml-vocab-gpt-2.gguf";
          default -> "ggml-vocab-llama-spm.gguf";
        };
    Path out = dir.resolve(family + "-" + type + ".gguf");
    try (GgufFile vocab = GgufFile.open(TestData.tokenizers().resolve(vocabulary))) {
      RandomModelWriter.write(spec, vocab, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  public static Path write(Path dir, RandomModelWriter.Spec spec, String vocabulary) {
    Path out =
        dir.resolve(spec.architecture() + "-" + spec.matrixType() + "-" + spec.seed() + ".gguf");
    try (GgufFile vocab = GgufFile.open(TestData.tokenizers().resolve(vocabulary))) {
      RandomModelWriter.write(spec, vocab, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
