package dev.cromwell.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class LanguageTest {
  @Test
  void languageIdsMapToLanguagesAndTheirUsualExtension() {
    assertEquals("py", Language.ofLanguageId("python").extension());
    assertEquals("ts", Language.ofLanguageId("typescriptreact").extension());
    assertEquals(Language.CPP, Language.detect("x." + Language.CPP.extension(), null));
    // Every extension given detects its own language again.
    for (Language l : Language.values()) {
      if (l.extension() != null) {
        assertEquals(l, Language.detect("f." + l.extension(), null), l.name());
      }
    }
    assertNull(Language.RUBY.extension(), "the index detects no Ruby files");
    // A client that sends no language id gets OTHER, not an exception.
    assertEquals(Language.OTHER, Language.ofLanguageId(null));
    assertEquals(Language.OTHER, Language.ofLanguageId("cobol"));
  }
}
