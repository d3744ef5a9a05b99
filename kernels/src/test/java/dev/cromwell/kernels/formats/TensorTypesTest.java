package dev.cromwell.kernels.formats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The tensor-type registry, and the README table generated from it. */
class TensorTypesTest {
  @Test
  void everyListedTypeHasAFormatAndNoOtherDoes() {
    for (GgmlType t : GgmlType.values()) {
      if (TensorTypes.computable().contains(t)) {
        assertEquals(t, WeightFormat.of(t).type(), t.name());
      } else {
        var e = assertThrows(UnsupportedOperationException.class, () -> WeightFormat.of(t));
        assertTrue(e.getMessage().contains("supported: F32, F16, Q4_0"), e.getMessage());
      }
    }
    assertTrue(TensorTypes.computable().containsAll(TensorTypes.rearranged()));
    assertTrue(TensorTypes.rearranged().contains(GgmlType.Q4_K));
  }

  @Test
  void theReadmeTableIsCurrent() throws IOException {
    Path readme = Path.of("..", "README.md");
    String text = Files.readString(readme, StandardCharsets.UTF_8);
    int begin = text.indexOf("<!-- tensor-types:begin");
    int end = text.indexOf("<!-- tensor-types:end -->");
    assertTrue(begin >= 0 && end > begin, readme.toAbsolutePath() + " has no tensor-types markers");
    String current = text.substring(text.indexOf('\n', begin) + 1, end);
    assertEquals(
        TensorTypes.markdownTable(),
        current,
        "README.md's tensor-type table is stale; replace the lines between its markers with the"
            + " output of: java -cp kernels/target/classes dev.cromwell.kernels.formats.TensorTypes");
  }
}
