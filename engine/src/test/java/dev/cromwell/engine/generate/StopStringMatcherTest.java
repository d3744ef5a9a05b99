package dev.cromwell.engine.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopStringMatcherTest {
  @Test
  void holdsBackAPossibleStartAndCutsAtTheStop() {
    StopStringMatcher m = new StopStringMatcher(List.of("\n\n", "###"));
    assertEquals("abc", m.accept("abc#").released());
    assertEquals("", m.accept("#").released());
    StopStringMatcher.Result r = m.accept("#tail");
    assertTrue(r.stopped());
    assertEquals("", r.released());
  }

  @Test
  void releasesHeldTextWhenItTurnsOutNotToBeAStop() {
    StopStringMatcher m = new StopStringMatcher(List.of("###"));
    assertEquals("a", m.accept("a##").released());
    StopStringMatcher.Result r = m.accept("b");
    assertFalse(r.stopped());
    assertEquals("##b", r.released());
    assertEquals("", m.accept("#").released());
    assertEquals("#", m.finish(""));
  }

  @Test
  void withoutStopsEverythingIsReleasedAtOnce() {
    StopStringMatcher m = new StopStringMatcher(List.of());
    assertEquals("xyz", m.accept("xyz").released());
    assertEquals("", m.finish(""));
  }
}
