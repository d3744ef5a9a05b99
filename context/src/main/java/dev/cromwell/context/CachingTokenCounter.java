package dev.cromwell.context;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link TokenCounter} that remembers the counts of recently counted texts. */
final class CachingTokenCounter implements TokenCounter {
  private static final int LIMIT = 50_000;

  private final TokenCounter counter;
  private final Map<String, Integer> counts = new ConcurrentHashMap<>();

  CachingTokenCounter(TokenCounter counter) {
    this.counter = counter;
  }

  @Override
  public int count(String text) {
    Integer known = counts.get(text);
    if (known != null) {
      return known;
    }
    int n = counter.count(text);
    if (counts.size() >= LIMIT) {
      counts.clear();
    }
    counts.put(text, n);
    return n;
  }

  @Override
  public String description() {
    return counter.description();
  }

  @Override
  public boolean exact() {
    return counter.exact();
  }
}
