package dev.cromwell.lsp;

import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.model.Session;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One engine session (and so one KV cache) per document, so each document's next request reuses
 * what its previous one computed. The caches share a memory budget; the least recently used
 * sessions go first. Completion threads of different documents use it at once, so it locks; a
 * session evicted while a job decodes in it stays that job's to the end.
 */
final class SessionPool {
  private final Model model;
  private final long budgetBytes;
  private final LinkedHashMap<String, Session> sessions = new LinkedHashMap<>(16, 0.75f, true);
  private long evictions;

  SessionPool(Model model, long budgetBytes) {
    this.model = model;
    this.budgetBytes = budgetBytes;
  }

  synchronized Session forDocument(String uri) {
    Session s = sessions.computeIfAbsent(uri, u -> model.newSession());
    evictBeyondBudget(uri);
    return s;
  }

  /** The tokens {@code uri}'s session holds (none when it has no session). */
  synchronized int[] held(String uri) {
    Session s = sessions.get(uri);
    return s == null ? new int[0] : s.tokens();
  }

  synchronized void forget(String uri) {
    sessions.remove(uri);
  }

  synchronized int size() {
    return sessions.size();
  }

  synchronized long bytes() {
    return sessions.values().stream().mapToLong(Session::cacheBytes).sum();
  }

  synchronized long evictions() {
    return evictions;
  }

  private void evictBeyondBudget(String keep) {
    Iterator<Map.Entry<String, Session>> it = sessions.entrySet().iterator();
    while (bytes() > budgetBytes && it.hasNext()) {
      Map.Entry<String, Session> e = it.next();
      if (!e.getKey().equals(keep)) {
        it.remove();
        evictions++;
      }
    }
  }
}
