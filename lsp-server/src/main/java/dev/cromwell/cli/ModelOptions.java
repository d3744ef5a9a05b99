package dev.cromwell.cli;

import dev.cromwell.engine.gguf.LoadMode;
import dev.cromwell.engine.model.KvCache;
import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.store.ModelStore;
import dev.cromwell.kernels.WorkerPool;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * The options every command that loads a model shares: which model, how many threads, how to load
 * it.
 */
final class ModelOptions {
  @Option(
      names = {"-m", "--model"},
      paramLabel = "MODEL",
      // HelpListsTest keeps the architecture list equal to the engine's registry.
      description =
          "GGUF file (architecture llama, qwen2, qwen3, starcoder2, phi3, gemma, gemma2 or gemma3)"
              + " or a catalogue name (see cromwell models); default: the catalogue's default"
              + " model, if installed")
  String model;

  /** The model file: a path, a catalogue name from the store, or the installed default. */
  Path path() {
    return ModelStore.fromEnvironment().resolveOrDefault(model);
  }

  @Option(
      names = {"-t", "--threads"},
      description = "worker threads (default: one per logical CPU)")
  Integer threads;

  @Option(
      names = "--load",
      defaultValue = "copy",
      description =
          "copy: read the file into huge-page memory and lay Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K and Q6_K rows out for faster kernels (decoding 1.7x faster on a 1.5B Q4_K_M for about 0.7 s more load on an idle machine, as in the editor server); mmap: map the file (the fastest load, in 2 MiB pages where the OS allows; slower decoding on K-quant files, less private memory). Default: ${DEFAULT-VALUE}")
  String load;

  @Option(
      names = "--kv-cache",
      defaultValue = "f32",
      description =
          "KV cache precision: f32, or f16 (half the memory at long contexts). Default: ${DEFAULT-VALUE}")
  String kvCache;

  /** Model options for these flags. */
  Model.Options options(int contextLength, int prefillChunk) {
    KvCache.Precision precision;
    try {
      precision = KvCache.Precision.valueOf(kvCache.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--kv-cache takes f32 or f16, not \"" + kvCache + "\"", e);
    }
    return new Model.Options(threads(), contextLength, prefillChunk, loadMode(), precision);
  }

  int threads() {
    return threads == null ? WorkerPool.defaultThreads() : threads;
  }

  LoadMode loadMode() {
    try {
      return LoadMode.valueOf(load.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--load takes mmap or copy, not \"" + load + "\"", e);
    }
  }
}
