package dev.cromwell.lsp;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.cromwell.engine.gguf.LoadMode;
import dev.cromwell.engine.model.KvCache;
import dev.cromwell.kernels.WorkerPool;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Settings of the language server, from {@code initializationOptions} or {@code
 * workspace/didChangeConfiguration} (a flat object, optionally under a "cromwell" key).
 *
 * @param model the GGUF file or catalogue name to load, or null for the catalogue's default
 * @param debounceMillis how long a completion request waits for newer keystrokes (a quarter of it
 *     while the model has no other document's request to run)
 * @param contextBudget prompt tokens (prefix, suffix and snippets)
 * @param timeLimitMillis time from a completion request's arrival (debounce, queue and prompt
 *     included) after which its suggestion ends at its last whole line, or a word's end; text with
 *     neither runs to twice this ({@link DeadlineStop})
 * @param disabledLanguages LSP language ids that get no completions
 * @param memoryBudgetBytes KV-cache memory for all documents' sessions together
 * @param loadMode how the model file is read (copy: faster decoding; mmap: instant)
 * @param kvCache precision of the KV cache (f16: half the memory at long contexts)
 * @param kvReuse keep each document's KV cache between requests (off only to measure its worth)
 * @param offerDownloads ask the user (window/showMessageRequest) to download a catalogue model that
 *     is not installed; off for clients that ask themselves (the VS Code extension), so the user is
 *     asked once
 */
public record ServerConfig(
    Path model,
    int threads,
    int maxTokens,
    int debounceMillis,
    int contextBudget,
    int timeLimitMillis,
    Set<String> disabledLanguages,
    long memoryBudgetBytes,
    LoadMode loadMode,
    KvCache.Precision kvCache,
    boolean kvReuse,
    boolean offerDownloads) {

  /**
   * The defaults. The time limit, 450 ms: with the debounce and the answer's last token, a
   * suggestion shows within ~600 ms of the keystroke (issue 23's p95) instead of decoding a long
   * line for a second. The VS Code extension's settings test reads these arguments as literals.
   */
  public static ServerConfig defaults() {
    return new ServerConfig(
        null,
        WorkerPool.defaultThreads(),
        64,
        120,
        1536,
        450,
        Set.of(),
        1L << 30,
        LoadMode.COPY,
        KvCache.Precision.F32,
        true,
        true);
  }

  /**
   * Whether going from this config to {@code next} needs the model loaded again: the settings the
   * engine is built with differ.
   */
  public boolean needsReload(ServerConfig next) {
    return !java.util.Objects.equals(model, next.model)
        || threads != next.threads
        || loadMode != next.loadMode
        || kvCache != next.kvCache;
  }

  /** The result of reading settings: the new config, plus problems to show and keys ignored. */
  public record Update(ServerConfig config, List<String> problems, List<String> ignored) {}

  /** Applies the settings in {@code json} on top of this config. */
  public Update apply(JsonElement json) {
    List<String> problems = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    if (json == null || json.isJsonNull()) {
      return new Update(this, problems, ignored);
    }
    if (!json.isJsonObject()) {
      problems.add("Cromwell settings must be an object, got " + json);
      return new Update(this, problems, ignored);
    }
    JsonObject o = json.getAsJsonObject();
    if (o.has("cromwell") && o.get("cromwell").isJsonObject()) {
      o = o.getAsJsonObject("cromwell");
    }
    Path model = this.model;
    int threads = this.threads;
    int maxTokens = this.maxTokens;
    int debounce = this.debounceMillis;
    int budget = this.contextBudget;
    int timeLimit = this.timeLimitMillis;
    Set<String> disabled = this.disabledLanguages;
    long memory = this.memoryBudgetBytes;
    LoadMode load = this.loadMode;
    KvCache.Precision cache = this.kvCache;
    boolean reuse = this.kvReuse;
    boolean offer = this.offerDownloads;
    for (var e : o.entrySet()) {
      String key = e.getKey();
      JsonElement v = e.getValue();
      try {
        switch (key) {
          case "model" ->
              model = v.isJsonNull() || v.getAsString().isBlank() ? null : Path.of(v.getAsString());
          case "threads" -> threads = positive(key, v, 1, 1024);
          case "maxTokens" -> maxTokens = positive(key, v, 1, 4096);
          case "debounceMs" -> debounce = positive(key, v, 0, 10_000);
          case "contextBudget" -> budget = positive(key, v, 64, 131_072);
          case "timeLimitMs" -> timeLimit = positive(key, v, 50, 60_000);
          case "memoryBudgetMb" -> memory = positive(key, v, 16, 1 << 20) * (1L << 20);
          case "loadMode" -> load = LoadMode.valueOf(v.getAsString().toUpperCase(Locale.ROOT));
          case "kvCache" -> cache = precision(v);
          case "kvReuse" -> reuse = bool(v);
          case "offerDownloads" -> offer = bool(v);
          case "disabledLanguages" -> {
            List<String> langs = new ArrayList<>();
            v.getAsJsonArray().forEach(x -> langs.add(x.getAsString()));
            disabled = Set.copyOf(langs);
          }
          default -> ignored.add(key);
        }
      } catch (RuntimeException ex) {
        problems.add("Cromwell setting \"" + key + "\" = " + v + " is invalid: " + describe(ex));
      }
    }
    return new Update(
        new ServerConfig(
            model, threads, maxTokens, debounce, budget, timeLimit, disabled, memory, load, cache,
            reuse, offer),
        problems,
        ignored);
  }

  private static int positive(String key, JsonElement v, int min, int max) {
    double d;
    try {
      // Numbers written as strings ("150") are accepted too: some editors send settings that way.
      d =
          v instanceof JsonPrimitive p && (p.isNumber() || p.isString())
              ? Double.parseDouble(p.getAsString().trim())
              : Double.NaN;
    } catch (NumberFormatException e) {
      d = Double.NaN;
    }
    if (Double.isNaN(d)) {
      throw new IllegalArgumentException("expected a number");
    }
    if (d != Math.rint(d) || d < min || d > max) {
      throw new IllegalArgumentException("expected a whole number from " + min + " to " + max);
    }
    return (int) d;
  }

  private static KvCache.Precision precision(JsonElement v) {
    if (v instanceof JsonPrimitive p && p.isString()) {
      String t = p.getAsString().trim().toUpperCase(Locale.ROOT);
      for (KvCache.Precision precision : KvCache.Precision.values()) {
        if (precision.name().equals(t)) {
          return precision;
        }
      }
    }
    throw new IllegalArgumentException("expected \"f32\" or \"f16\"");
  }

  private static boolean bool(JsonElement v) {
    if (v instanceof JsonPrimitive p && (p.isBoolean() || p.isString())) {
      String t = p.getAsString().trim().toLowerCase(Locale.ROOT);
      if (t.equals("true") || t.equals("false")) {
        return Boolean.parseBoolean(t);
      }
    }
    throw new IllegalArgumentException("expected true or false");
  }

  private static String describe(RuntimeException e) {
    if (e instanceof IllegalArgumentException
        && e.getMessage() != null
        && e.getMessage().startsWith("No enum")) {
      return "expected mmap or copy";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
