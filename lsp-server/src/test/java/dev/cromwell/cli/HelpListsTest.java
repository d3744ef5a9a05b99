package dev.cromwell.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.engine.model.Architecture;
import dev.cromwell.kernels.formats.TensorTypes;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/**
 * Help texts are annotation constants, so they cannot be computed; this keeps the lists in them
 * equal to the registries they describe (architectures, rearranged tensor types).
 */
class HelpListsTest {
  private static String help() {
    StringWriter out = new StringWriter();
    Main.execute(
        new String[] {"generate", "--help"},
        new PrintWriter(out, true),
        new PrintWriter(new StringWriter(), true));
    return out.toString().replaceAll("\\s+", " ");
  }

  @Test
  void modelHelpNamesExactlyTheArchitecturesTheEngineRuns() {
    String names = Architecture.names().toString();
    String expected =
        names.substring(1, names.length() - 1).replaceFirst(", ([a-z0-9]+)$", " or $1");
    String help = help();
    assertTrue(help.contains("GGUF file (architecture " + expected + ")"), expected + "\n" + help);
  }

  @Test
  void loadHelpNamesExactlyTheRearrangedTypes() {
    String types = TensorTypes.names(TensorTypes.rearranged());
    String expected = types.replaceFirst(", ([A-Z0-9_]+)$", " and $1");
    String help = help();
    assertTrue(help.contains("lay " + expected + " rows out"), expected + "\n" + help);
  }
}
