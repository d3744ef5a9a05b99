package dev.cromwell.service;

import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.model.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A few engine sessions (KV caches) for requests that carry no document: each prompt goes to the
 * session whose tokens share the longest prefix with it, so a chat's next turn or a repeated system
 * prompt is not computed again. Least recently used sessions are reused first; sessions that
 * started jobs or parted work hold are passed over. Used from the scheduler's thread only.
 */
final class PrefixSessions {
  private final Model model;
  private final int size;
  private final List<Session> sessions = new ArrayList<>(); // most recently used last

  PrefixSessions(Model model, int size) {
    this.model = model;
    this.size = Math.max(1, size);
  }

  /**
   * The session for {@code prompt} among those not in {@code busy} (held by started jobs and the
   * parted work under way); there must be one, so the pool is larger than the batch by one or more.
   */
  Session forPrompt(int[] prompt, Set<Session> busy) {
    Session best = null;
    int bestShared = 0;
    for (Session s : sessions) {
      if (busy.contains(s)) {
        continue;
      }
      int shared = shared(s.tokens(), prompt);
      if (shared > bestShared) {
        best = s;
        bestShared = shared;
      }
    }
    if (best == null) {
      best =
          sessions.size() < size
              ? model.newSession()
              : sessions.stream()
                  .filter(s -> !busy.contains(s))
                  .findFirst()
                  .orElseThrow(
                      () -> new IllegalStateException("every session is busy: " + size + " held"));
    }
    sessions.remove(best);
    sessions.add(best);
    return best;
  }

  long cacheBytes() {
    return sessions.stream().mapToLong(Session::cacheBytes).sum();
  }

  private static int shared(int[] a, int[] b) {
    int n = Math.min(a.length, b.length);
    int i = 0;
    while (i < n && a[i] == b[i]) {
      i++;
    }
    return i;
  }
}
