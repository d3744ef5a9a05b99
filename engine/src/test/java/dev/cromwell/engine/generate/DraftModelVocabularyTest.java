package dev.cromwell.engine.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.model.TinyModels;
import dev.cromwell.kernels.formats.GgmlType;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A draft model must share the target's vocabulary token for token: real vocabularies (Qwen2's,
 * Llama 2's, and Qwen2 with Qwen2.5-Coder's FIM tokens over its padding) under small random models;
 * refusals are one line naming both files and the first difference.
 */
class DraftModelVocabularyTest {
  @TempDir Path dir;

  @Test
  void theSameVocabularyIsAccepted() {
    try (Model a = load(TinyModels.qwen2(dir, GgmlType.Q8_0));
        Model b = load(TinyModels.qwen2(dir, GgmlType.F32))) {
      DraftModel draft = DraftModel.of(a, b, 5);
      assertEquals(5, draft.tokens());
    }
  }

  @Test
  void anotherVocabularySizeIsRefusedInOneLine() {
    try (Model qwen = load(TinyModels.qwen2(dir, GgmlType.Q8_0));
        Model llama = load(TinyModels.llama(dir, GgmlType.Q8_0))) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> DraftModel.of(llama, qwen, 4));
      String m = e.getMessage();
      assertTrue(m.contains(llama.file().path().toString()), m);
      assertTrue(m.contains(qwen.file().path().toString()), m);
      assertTrue(m.contains("tokens, the target's"), m);
      assertTrue(m.contains("token for token"), m);
      assertTrue(!m.contains("\n"), m);
    }
  }

  @Test
  void theSameSizeWithOtherTokensIsRefusedNamingTheFirstDifference() {
    try (Model qwen = load(TinyModels.qwen2(dir, GgmlType.Q8_0));
        Model coder = load(TinyModels.qwen2Coder(dir, GgmlType.Q8_0))) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> DraftModel.of(coder, qwen, 4));
      assertTrue(
          e.getMessage().contains("token 151659 is \"<|fim_prefix|>\" there"), e.getMessage());
    }
  }

  private static Model load(Path path) {
    return Model.load(path, new Model.Options(1, 256));
  }
}
