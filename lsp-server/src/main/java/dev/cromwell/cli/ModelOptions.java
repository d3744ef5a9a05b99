package dev.cromwell.cli;

import dev.cromwell.engine.gguf.LoadMode;
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
      required = true,
      paramLabel = "MODEL.gguf",
      description = "llama or qwen2 GGUF model")
  Path path;

  @Option(
      names = {"-t", "--threads"},
      description = "worker threads (default: one per core)")
  Integer threads;

  @Option(
      names = "--load",
      defaultValue = "mmap",
      description =
          "mmap: map the file (instant); copy: read it into huge-page memory (faster decoding). Default: ${DEFAULT-VALUE}")
  String load;

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
