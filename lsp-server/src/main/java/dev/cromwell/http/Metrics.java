package dev.cromwell.http;

import dev.cromwell.engine.generate.GenerationStats;
import dev.cromwell.service.GenerationService;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's numbers in Prometheus' text format (version 0.0.4). Written by hand: the format is
 * three kinds of line, and a client library would add a dependency for counters, a gauge and two
 * histograms.
 */
final class Metrics {
  /** A cumulative histogram with fixed upper bounds, in seconds. */
  static final class Histogram {
    private static final double[] BOUNDS = {
      0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120
    };
    private final LongAdder[] counts = new LongAdder[BOUNDS.length];
    private final LongAdder count = new LongAdder();
    private final DoubleAdder sum = new DoubleAdder();

    Histogram() {
      for (int i = 0; i < counts.length; i++) {
        counts[i] = new LongAdder();
      }
    }

    void observe(double seconds) {
      for (int i = 0; i < BOUNDS.length; i++) {
        if (seconds <= BOUNDS[i]) {
          counts[i].increment();
        }
      }
      count.increment();
      sum.add(seconds);
    }

    void write(StringBuilder out, String name, String labels) {
      String sep = labels.isEmpty() ? "" : labels + ",";
      for (int i = 0; i < BOUNDS.length; i++) {
        out.append(name)
            .append("_bucket{")
            .append(sep)
            .append("le=\"")
            .append(number(BOUNDS[i]))
            .append("\"} ")
            .append(counts[i].sum())
            .append('\n');
      }
      out.append(name).append("_bucket{").append(sep).append("le=\"+Inf\"} ");
      out.append(count.sum()).append('\n');
      String braces = labels.isEmpty() ? "" : "{" + labels + "}";
      out.append(name).append("_sum").append(braces).append(' ').append(number(sum.sum()));
      out.append('\n');
      out.append(name).append("_count").append(braces).append(' ').append(count.sum());
      out.append('\n');
    }
  }

  private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
  private final Map<String, Histogram> latency = new ConcurrentHashMap<>();
  private final Histogram firstToken = new Histogram();
  private final LongAdder promptTokens = new LongAdder();
  private final LongAdder reusedTokens = new LongAdder();
  private final LongAdder generatedTokens = new LongAdder();
  private final DoubleAdder generationSeconds = new DoubleAdder();
  private final LongAdder cancelled = new LongAdder();
  private final LongAdder timedOut = new LongAdder();
  private final AtomicLong lastTokensPerSecondMilli = new AtomicLong();

  void request(String endpoint, int status, double seconds) {
    requests
        .computeIfAbsent(
            "endpoint=\"" + endpoint + "\",status=\"" + status + "\"", k -> new LongAdder())
        .increment();
    latency.computeIfAbsent(endpoint, k -> new Histogram()).observe(seconds);
  }

  void generation(GenerationStats stats, boolean wasCancelled, boolean wasTimedOut) {
    promptTokens.add(stats.promptTokens());
    reusedTokens.add(stats.promptTokensReused());
    generatedTokens.add(stats.generatedTokens());
    generationSeconds.add(stats.generationNanos() / 1e9);
    if (stats.timeToFirstTokenNanos() > 0) {
      firstToken.observe(stats.timeToFirstTokenNanos() / 1e9);
    }
    if (stats.generatedTokens() > 1) {
      lastTokensPerSecondMilli.set(Math.round(stats.generatedTokensPerSecond() * 1000));
    }
    if (wasCancelled) {
      cancelled.increment();
    }
    if (wasTimedOut) {
      timedOut.increment();
    }
  }

  String render(GenerationService service) {
    StringBuilder out = new StringBuilder();
    header(out, "cromwell_requests_total", "counter", "HTTP requests by endpoint and status.");
    new TreeMap<>(requests)
        .forEach(
            (labels, n) ->
                out.append("cromwell_requests_total{")
                    .append(labels)
                    .append("} ")
                    .append(n.sum())
                    .append('\n'));
    header(
        out,
        "cromwell_request_duration_seconds",
        "histogram",
        "Time from request to the end of the response.");
    new TreeMap<>(latency)
        .forEach(
            (endpoint, h) ->
                h.write(out, "cromwell_request_duration_seconds", "endpoint=\"" + endpoint + "\""));
    header(
        out,
        "cromwell_time_to_first_token_seconds",
        "histogram",
        "Time from the start of a generation to its first token.");
    firstToken.write(out, "cromwell_time_to_first_token_seconds", "");
    counter(out, "cromwell_prompt_tokens_total", "Prompt tokens of generations.", promptTokens);
    counter(
        out,
        "cromwell_prompt_tokens_reused_total",
        "Prompt tokens taken from a KV cache instead of computed (KV reuse).",
        reusedTokens);
    counter(out, "cromwell_generated_tokens_total", "Tokens generated.", generatedTokens);
    gauge(
        out,
        "cromwell_generation_seconds_total",
        "counter",
        "Seconds spent generating (rate of tokens over rate of this is tokens/s).",
        generationSeconds.sum());
    gauge(
        out,
        "cromwell_tokens_per_second",
        "gauge",
        "Generation speed of the last finished request.",
        lastTokensPerSecondMilli.get() / 1000.0);
    counter(out, "cromwell_cancelled_total", "Generations cancelled (client gone).", cancelled);
    counter(out, "cromwell_timed_out_total", "Generations ended by the request timeout.", timedOut);
    gauge(
        out,
        "cromwell_queue_depth",
        "gauge",
        "Requests waiting or running.",
        service.queue().depth());
    gauge(
        out,
        "cromwell_queue_waiting",
        "gauge",
        "Requests waiting to start.",
        service.queue().waiting());
    gauge(
        out,
        "cromwell_queue_capacity",
        "gauge",
        "Most requests waiting or running.",
        service.queue().capacity());
    gauge(
        out,
        "cromwell_queue_rejected_total",
        "counter",
        "Requests refused with 429 because the queue was full.",
        service.queue().rejected());
    gauge(
        out,
        "cromwell_batch_size",
        "gauge",
        "Requests decoding together now.",
        service.scheduler().decoding());
    gauge(
        out,
        "cromwell_batch_peak",
        "gauge",
        "Most requests that have decoded together in one step.",
        service.scheduler().peak());
    gauge(
        out,
        "cromwell_batch_capacity",
        "gauge",
        "Most requests that may decode together (serve --batch).",
        service.scheduler().batch());
    gauge(
        out,
        "cromwell_kv_cache_bytes",
        "gauge",
        "Bytes held by KV caches kept for prefix reuse.",
        service.cacheBytes());
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    gauge(out, "cromwell_heap_used_bytes", "gauge", "JVM heap in use.", heap.getUsed());
    gauge(out, "cromwell_heap_max_bytes", "gauge", "JVM heap limit.", heap.getMax());
    gauge(
        out,
        "cromwell_model_file_bytes",
        "gauge",
        "Size of the loaded model file (mapped or copied).",
        service.model().file().size());
    return out.toString();
  }

  private static void header(StringBuilder out, String name, String type, String help) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static void counter(StringBuilder out, String name, String help, LongAdder value) {
    gauge(out, name, "counter", help, value.sum());
  }

  private static void gauge(StringBuilder out, String name, String type, String help, double v) {
    header(out, name, type, help);
    out.append(name).append(' ').append(number(v)).append('\n');
  }

  private static String number(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%.6g", v);
  }
}
