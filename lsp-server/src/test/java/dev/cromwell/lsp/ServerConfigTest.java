package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.cromwell.engine.gguf.LoadMode;
import dev.cromwell.engine.model.KvCache;
import org.junit.jupiter.api.Test;

class ServerConfigTest {
  private static JsonObject settings(String key, String value) {
    JsonObject o = new JsonObject();
    o.addProperty(key, value);
    return o;
  }

  @Test
  void kvCacheAndLoadModeAreReadAndBadValuesNameTheSetting() {
    ServerConfig defaults = ServerConfig.defaults();
    assertEquals(KvCache.Precision.F32, defaults.kvCache());
    assertEquals(LoadMode.COPY, defaults.loadMode());

    ServerConfig.Update half = defaults.apply(settings("kvCache", "f16"));
    assertTrue(half.problems().isEmpty(), half.problems().toString());
    assertEquals(KvCache.Precision.F16, half.config().kvCache());

    ServerConfig.Update bad = defaults.apply(settings("kvCache", "f8"));
    assertEquals(1, bad.problems().size());
    assertTrue(bad.problems().get(0).contains("kvCache"), bad.problems().get(0));
    assertTrue(bad.problems().get(0).contains("f16"), bad.problems().get(0));
    assertEquals(KvCache.Precision.F32, bad.config().kvCache(), "a bad value changes nothing");

    assertEquals(LoadMode.MMAP, defaults.apply(settings("loadMode", "mmap")).config().loadMode());
  }

  @Test
  void onlyEngineSettingsNeedTheModelLoadedAgain() {
    ServerConfig base = ServerConfig.defaults().apply(settings("model", "a.gguf")).config();
    assertTrue(base.needsReload(base.apply(settings("model", "b.gguf")).config()));
    assertTrue(base.needsReload(base.apply(settings("threads", "3")).config()));
    assertTrue(base.needsReload(base.apply(settings("loadMode", "mmap")).config()));
    assertTrue(base.needsReload(base.apply(settings("kvCache", "f16")).config()));
    assertFalse(base.needsReload(base.apply(settings("maxTokens", "12")).config()));
    assertFalse(base.needsReload(base.apply(settings("debounceMs", "50")).config()));
  }
}
