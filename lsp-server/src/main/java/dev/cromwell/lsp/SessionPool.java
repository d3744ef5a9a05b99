package dev.cromwell.lsp;

import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.model.Session;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One engine session (and so one KV cache) per document, so each document's next request reuses
 * what its previous one computed. A closed document's session is kept aside and given back when the
 * document is opened again (an editor reopening a file, or the daemon's next session on the same
 * project: its first suggestion then computes only what changed, as the prompt's common prefix with
 * the session's tokens says). The caches share a memory budget; closed documents' sessions go
 * first, then the least recently used. Completion threads of different documents use it at once, so
 * it locks; a session evicted while a job decodes in it stays that job's to the end.
 */
final class SessionPool {
  private final Model model;
  private final long budgetBytes;
  private final LinkedHashMap<String, Session> sessions = new LinkedHashMap<>(16, 0.75f, true);
  // Closed documents' sessions, least recently closed first.
  private final LinkedHashMap<String, Session> closed = new LinkedHashMap<>();
  private long evictions;

  SessionPool(Model model, long budgetBytes) {
    this.model = model;
    this.budgetBytes = budgetBytes;
  }

  synchronized Session forDocument(String uri) {
    Session s = sessions.get(uri);
    if (s == null) {
      Session kept = closed.remove(uri);
      s = kept != null ? kept : model.newSession();
      sessions.put(uri, s);
    }
    evictBeyondBudget(uri);
    return s;
  }

  /**
   * The tokens {@code uri}'s session holds, open or kept aside since the document was closed (none
   * when it has neither): what the lane's cost check sees before the session is taken back.
   */
  synchronized int[] held(String uri) {
    Session s = sessions.get(uri);
    if (s == null) {
      s = closed.get(uri);
    }
    return s == null ? new int[0] : s.tokens();
  }

  /** The document was closed: its session is kept aside for a reopening (see the class). */
  synchronized void close(String uri) {
    Session s = sessions.remove(uri);
    if (s != null) {
      closed.remove(uri);
      closed.put(uri, s);
      evictBeyondBudget(null);
    }
  }

  /** Drops the document's session, open or closed. */
  synchronized void forget(String uri) {
    sessions.remove(uri);
    closed.remove(uri);
  }

  /** Closed documents' sessions kept for a reopening. */
  synchronized int closedSize() {
    return closed.size();
  }

  synchronized int size() {
    return sessions.size();
  }

  synchronized long bytes() {
    return sessions.values().stream().mapToLong(Session::cacheBytes).sum()
        + closed.values().stream().mapToLong(Session::cacheBytes).sum();
  }

  synchronized long evictions() {
    return evictions;
  }

  private void evictBeyondBudget(String keep) {
    Iterator<Session> aside = closed.values().iterator();
    while (bytes() > budgetBytes && aside.hasNext()) {
      aside.next();
      aside.remove();
      evictions++;
    }
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
