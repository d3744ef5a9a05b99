package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.model.TinyModels;
import dev.cromwell.kernels.formats.GgmlType;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionPoolTest {
  @TempDir Path dir;

  @Test
  void sessionsStayPerDocumentAndTheLeastRecentlyUsedGoFirstOverBudget() {
    try (Model model = Model.load(TinyModels.qwen2(dir, GgmlType.Q8_0), new Model.Options(1, 0))) {
      long oneSession = model.newSession().cacheBytes();
      SessionPool pool = new SessionPool(model, oneSession * 2);
      var a = pool.forDocument("a");
      var b = pool.forDocument("b");
      assertSame(a, pool.forDocument("a"), "a document keeps its session");
      pool.forDocument("c"); // over budget: "b" was used least recently
      assertEquals(2, pool.size());
      assertEquals(1, pool.evictions());
      assertSame(a, pool.forDocument("a"));
      assertNotSame(b, pool.forDocument("b"), "an evicted document starts a fresh session");
    }
  }

  @Test
  void aClosedDocumentGetsItsSessionBackAndClosedOnesGoFirstOverBudget() {
    try (Model model = Model.load(TinyModels.qwen2(dir, GgmlType.Q8_0), new Model.Options(1, 0))) {
      long oneSession = model.newSession().cacheBytes();
      SessionPool pool = new SessionPool(model, oneSession * 2);
      var a = pool.forDocument("a");
      pool.close("a");
      assertEquals(0, pool.size());
      assertEquals(1, pool.closedSize());
      assertSame(a, pool.forDocument("a"), "opened again: the same session");
      assertEquals(0, pool.closedSize());

      pool.close("a");
      var b = pool.forDocument("b");
      pool.forDocument("c"); // over budget: the closed "a" goes before the open "b"
      assertEquals(0, pool.closedSize());
      assertEquals(2, pool.size());
      assertSame(b, pool.forDocument("b"));

      pool.close("b");
      pool.forget("b");
      assertEquals(0, pool.closedSize(), "forget drops a closed session too");
      assertNotSame(b, pool.forDocument("b"));
    }
  }
}
