package dev.cromwell.engine.model;

import dev.cromwell.engine.gguf.GgufFile;
import dev.cromwell.engine.gguf.LoadMode;
import dev.cromwell.engine.tokenizer.Tokenizer;
import dev.cromwell.engine.tokenizer.TokenizerLoader;
import dev.cromwell.kernels.WorkerPool;
import java.nio.file.Path;

/**
 * A loaded model: the mapped GGUF file, its configuration, weights, tokenizer and the worker pool
 * that runs it. Closing it waits for running forward passes, joins the threads and unmaps the file.
 */
public final class Model implements AutoCloseable {
  /**
   * Load options. {@code contextLength} 0 means the model's own (capped to 32768); {@code
   * prefillChunk} is how many prompt tokens run as one batch (1 = token by token); {@code loadMode}
   * maps the file or copies it into huge-page memory.
   */
  public record Options(
      int threads,
      int contextLength,
      int prefillChunk,
      LoadMode loadMode,
      KvCache.Precision kvPrecision) {
    public Options(int threads, int contextLength) {
      this(threads, contextLength, DEFAULT_PREFILL_CHUNK, LoadMode.MMAP);
    }

    public Options(int threads, int contextLength, int prefillChunk) {
      this(threads, contextLength, prefillChunk, LoadMode.MMAP);
    }

    public Options(int threads, int contextLength, int prefillChunk, LoadMode loadMode) {
      this(threads, contextLength, prefillChunk, loadMode, KvCache.Precision.F32);
    }

    public Options {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be at least 1, got " + threads);
      }
      if (threads > maxThreads()) {
        // Each thread is a platform thread that spins: thousands never finish a token.
        throw new IllegalArgumentException(
            "threads must be at most "
                + maxThreads()
                + " on this machine (4 per core), got "
                + threads);
      }
      if (contextLength < 0) {
        throw new IllegalArgumentException(
            "the context length must be positive (0 = the model's), got " + contextLength);
      }
      if (prefillChunk < 1) {
        throw new IllegalArgumentException("prefill chunk must be at least 1, got " + prefillChunk);
      }
    }

    /** The most threads a model may use: 4 per available core, and at least 16. */
    public static int maxThreads() {
      return Math.max(16, 4 * Runtime.getRuntime().availableProcessors());
    }

    public static Options defaults() {
      return new Options(WorkerPool.defaultThreads(), 0);
    }
  }

  /**
   * Where a load's time went, for the server's timing line: mapping or copying the file and parsing
   * its header ({@code open}), then reading (for a copied file: rearranging) the weights while
   * another thread builds the tokenizer, and the whole. Most of each is the JIT's cold start on a
   * fresh JVM (docs/PERFORMANCE.md).
   */
  public record LoadTimes(
      long openNanos, long tokenizerNanos, long weightsNanos, long totalNanos) {}

  /**
   * Prompt tokens per batch by default: enough to amortize weight decoding, and short enough that a
   * server stops a prompt for a newer request soon (a prompt is stopped only between chunks): the
   * editor server and {@code cromwell serve} use it.
   */
  public static final int DEFAULT_PREFILL_CHUNK = 64;

  /**
   * Prompt tokens per batch for commands that run one request to its end ({@code generate}, {@code
   * edit}, {@code logits}, {@code bench}): every weight row is decoded to floats once per chunk,
   * and on the 1.5B that is worth 6-8% of prefill (pp512 at 2 threads, Xeon: 71.4 and 71.9 tokens/s
   * in chunks of 64, 75.8 and 77.8 in chunks of 256; the 0.5B 241 against 244). A session's batch
   * buffers grow with it (about 100 KB a token on the 1.5B).
   */
  public static final int BATCH_PREFILL_CHUNK = 256;

  private static final int DEFAULT_CONTEXT_CAP = 32768;

  private final GgufFile file;
  private final ModelConfig config;
  private final ModelWeights weights;
  private final Tokenizer tokenizer;
  private final WorkerPool pool;
  private final Transformer transformer;
  private final int contextLength;
  private final int prefillChunk;
  private final KvCache.Precision kvPrecision;
  private final ModelUse use = new ModelUse();
  private final LoadTimes loadTimes;

  private Model(GgufFile file, Options options, long loadStart, long openNanos) {
    this.file = file;
    this.config = ModelConfig.from(file);
    // The tokenizer is built on a thread of its own while this one reads the weights: on a fresh
    // JVM it takes a few hundred ms of cold code, and the weights (copied or rearranged) leave a
    // core to spare part of the time. Its errors still come first, as when it was built first.
    Tokenizing tokenizing = Tokenizing.start(file);
    RuntimeException weightsFailure = null;
    ModelWeights read = null;
    int context = 0;
    long weighing = System.nanoTime();
    try {
      context = contextLength(file, config, options);
      read = ModelWeights.from(file, config, context);
    } catch (RuntimeException e) {
      weightsFailure = e;
    }
    long weighed = System.nanoTime();
    this.tokenizer = tokenizing.join();
    if (tokenizer.vocabulary().size() > config.vocabularySize()) {
      throw new IllegalArgumentException(
          file.path()
              + ": the tokenizer has "
              + tokenizer.vocabulary().size()
              + " tokens but token_embd.weight only "
              + config.vocabularySize()
              + " rows");
    }
    if (weightsFailure != null) {
      throw weightsFailure;
    }
    this.contextLength = context;
    this.weights = read;
    this.loadTimes =
        new LoadTimes(
            openNanos, tokenizing.nanos(), weighed - weighing, System.nanoTime() - loadStart);
    this.prefillChunk = options.prefillChunk();
    this.kvPrecision = options.kvPrecision();
    this.pool = new WorkerPool(options.threads());
    this.transformer = new Transformer(config, weights, pool);
  }

  /** The positions sessions hold: the options' (checked) or the model's, capped. */
  private static int contextLength(GgufFile file, ModelConfig config, Options options) {
    if (options.contextLength() > config.contextLength()) {
      throw new IllegalArgumentException(
          file.path()
              + ": a context of "
              + options.contextLength()
              + " positions is more than the model's "
              + config.contextLength()
              + "; use at most that (0 = the model's)");
    }
    int requested = options.contextLength() > 0 ? options.contextLength() : DEFAULT_CONTEXT_CAP;
    return Math.min(requested, config.contextLength());
  }

  /** The tokenizer being built on a thread of its own, and how long that took. */
  private static final class Tokenizing {
    private final GgufFile file;
    private final java.util.concurrent.FutureTask<Tokenizer> task;
    private volatile long nanos;

    private Tokenizing(GgufFile file) {
      this.file = file;
      this.task = new java.util.concurrent.FutureTask<>(this::build);
    }

    static Tokenizing start(GgufFile file) {
      Tokenizing t = new Tokenizing(file);
      Thread.ofPlatform().name("cromwell-tokenizer").daemon().start(t.task);
      return t;
    }

    private Tokenizer build() {
      long start = System.nanoTime();
      try {
        return TokenizerLoader.load(file);
      } finally {
        nanos = System.nanoTime() - start;
      }
    }

    /** The tokenizer once built, or what building it threw; waits without being interrupted. */
    Tokenizer join() {
      boolean interrupted = false;
      try {
        while (true) {
          try {
            return task.get();
          } catch (InterruptedException e) {
            interrupted = true; // the file must outlive the build, which reads it
          } catch (java.util.concurrent.ExecutionException e) {
            switch (e.getCause()) {
              case RuntimeException r -> throw r;
              case Error err -> throw err;
              default -> throw new IllegalStateException(e.getCause());
            }
          }
        }
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }

    long nanos() {
      return nanos;
    }
  }

  /** Maps and validates the model at {@code path}. */
  public static Model load(Path path, Options options) {
    long start = System.nanoTime();
    GgufFile file = GgufFile.open(path, options.loadMode());
    try {
      return new Model(file, options, start, System.nanoTime() - start);
    } catch (RuntimeException e) {
      file.close();
      throw e;
    }
  }

  public ModelConfig config() {
    return config;
  }

  public ModelWeights weights() {
    return weights;
  }

  /** Where this model's load took its time. */
  public LoadTimes loadTimes() {
    return loadTimes;
  }

  public Tokenizer tokenizer() {
    return tokenizer;
  }

  public GgufFile file() {
    return file;
  }

  public int threads() {
    return pool.threads();
  }

  /** Positions a session can hold. */
  public int contextLength() {
    return contextLength;
  }

  /** How sessions store their KV caches. */
  public KvCache.Precision kvPrecision() {
    return kvPrecision;
  }

  /** Prompt tokens processed per batch. */
  public int prefillChunk() {
    return prefillChunk;
  }

  Transformer transformer() {
    return transformer;
  }

  /**
   * Runs this model's matrix kernels on small views of its weights until the JIT has had reason to
   * compile them ({@link KernelWarmup}): at most {@code rounds} rounds and {@code budgetNanos}, and
   * no further once {@code stop} says so. Returns the rounds run. Not concurrently with sessions.
   */
  public int warmKernels(int rounds, long budgetNanos, java.util.function.BooleanSupplier stop) {
    enter();
    try {
      return KernelWarmup.warm(weights, pool, rounds, budgetNanos, stop);
    } finally {
      exit();
    }
  }

  /** A new, empty session with its own KV cache. */
  public Session newSession() {
    return new Session(this);
  }

  /** Marks a forward pass as reading the model; fails once it is closing ({@link ModelUse}). */
  void enter() {
    use.enter();
  }

  void exit() {
    use.exit();
  }

  /**
   * Releases the model in the only safe order: no new forward pass may start, the running one
   * finishes, the worker threads are joined, and only then is the memory unmapped or freed. A
   * generation on another thread then fails with "the model was closed" instead of reading freed
   * memory. Closing twice does nothing more.
   */
  @Override
  public void close() {
    if (use.closing()) {
      return;
    }
    use.closeAndAwait();
    pool.close();
    file.close();
  }
}
