package dev.cromwell.lsp;

import java.util.LinkedHashMap;
import java.util.Map;

/** The answer to {@code cromwell/status}: model, threads, sessions, cache use, recent latencies. */
final class StatusReport {
  private StatusReport() {}

  static Map<String, Object> of(
      ModelRuntime runtime, DocumentStore documents, CompletionStats.Snapshot stats) {
    Map<String, Object> s = new LinkedHashMap<>();
    ServerConfig cfg = runtime.config();
    s.put("model", cfg.model() == null ? null : cfg.model().toString());
    s.put("modelState", runtime.modelState());
    // "file" or "cache" (a warm model the daemon kept from an earlier session), and how long
    // loading (or taking it from the cache) and warming up took.
    s.put("modelSource", runtime.modelSource());
    s.put("modelLoadMs", runtime.modelLoadMillis());
    s.put("threads", cfg.threads());
    Completer c = runtime.completer();
    s.put("fimFormat", c == null ? null : c.format().name());
    s.put("sessions", c == null ? 0 : c.sessions());
    // Closed documents' sessions kept for a reopening (within the same memory budget).
    s.put("closedSessions", c == null ? 0 : c.closedSessions());
    s.put("openDocuments", documents.size());
    s.put("positionEncoding", documents.encoding().lspName());
    s.put("indexedFiles", runtime.index() == null ? 0 : runtime.index().files().size());
    var scheduler = runtime.scheduler();
    // The most completions one decode step has served together since the model loaded.
    s.put("batchPeak", scheduler == null ? 0 : scheduler.peak());
    s.put("stats", stats);
    return s;
  }
}
