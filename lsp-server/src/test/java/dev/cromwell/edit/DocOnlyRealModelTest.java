package dev.cromwell.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.engine.model.Model;
import dev.cromwell.protocol.edit.EditException;
import dev.cromwell.testing.RealModels;
import org.junit.jupiter.api.Test;

/** "Add a docstring" with the real SmolLM2: every byte outside the new docstring stays. */
class DocOnlyRealModelTest {
  // SmolLM2 answers this one with a docstring (on most others it writes prose about one).
  static final String FILE =
      """
      import math


      def area(radius):
          return math.pi * radius * radius
      """;

  @Test
  void onlyTheDocstringIsInsertedAndGenerationStopsAfterIt() throws EditException {
    try (Model loaded = Model.load(RealModels.smollm2(), Model.Options.defaults())) {
      RecordingEditModel model = new RecordingEditModel(new ModelEditModel(loaded));
      String out;
      try {
        out =
            new EditService(model)
                .edit(
                    new EditService.Request("geometry.py", FILE, 4, 5, "add a docstring"),
                    () -> false);
      } catch (EditException e) {
        throw new AssertionError(e.getMessage() + "; the answer: " + model.answers, e);
      }
      String answer = model.answers.getFirst();
      // The inserted lines are a docstring right under the def line; the rest is the file.
      String head = "import math\n\n\ndef area(radius):\n";
      assertTrue(out.startsWith(head), out);
      String rest = FILE.substring(head.length());
      assertTrue(out.endsWith(rest), out);
      String inserted = out.substring(head.length(), out.length() - rest.length());
      assertTrue(inserted.strip().startsWith("\"\"\"") || inserted.strip().startsWith("'''"), out);
      assertTrue(inserted.startsWith("    "), inserted);
      // Generation stopped once the docstring was closed: the answer ends with it.
      String doc = inserted.strip();
      assertTrue(
          answer.stripTrailing().endsWith(doc.substring(doc.lastIndexOf('\n') + 1)),
          "the answer goes on past its docstring: " + answer);
      assertEquals(out, FILE.replace(head, head + inserted));
    }
  }
}
