package dev.cromwell.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/**
 * {@code cromwell lsp} is parsed by the command of {@code lsp} alone (start-up speed, issue 23);
 * what a user sees must not change: help, version and every refusal are compared with what the
 * whole command line prints for the same arguments.
 */
class LspFastPathTest {
  private static String[] args(String... a) {
    return a;
  }

  private static CliTest.Run fast(String... args) {
    return CliTest.run(args);
  }

  private static CliTest.Run full(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Main.run(Main.commandLine(), args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new CliTest.Run(code, out.toString(), err.toString());
  }

  @Test
  void lspAloneIsParsedWithoutTheOtherSubcommands() {
    assertTrue(LspFastPath.applies(args("lsp")));
    assertTrue(LspFastPath.applies(args("lsp", "--port", "0")));
    assertFalse(LspFastPath.applies(args()));
    assertFalse(LspFastPath.applies(args("generate", "lsp")));
    assertFalse(LspFastPath.applies(args("help", "lsp")));
    assertTrue(LspFastPath.isBare(args("lsp")));
    assertFalse(LspFastPath.isBare(args("lsp", "-t", "2")));
    assertFalse(LspFastPath.isBare(args("generate")));
    var spec = LspFastPath.commandLine().getCommandSpec();
    assertEquals(java.util.Set.of("lsp"), spec.subcommands().keySet());
    assertEquals("cromwell lsp", spec.subcommands().get("lsp").getCommandSpec().qualifiedName());
  }

  @Test
  void helpVersionAndRefusalsReadAsUnderTheWholeCommandLine() {
    String[][] cases = {
      {"lsp", "--help"},
      {"lsp", "-h"},
      {"lsp", "-V"},
      {"lsp", "--version"},
      {"lsp", "--bogus"},
      {"lsp", "extra"},
      {"lsp", "--threads", "many"},
      {"lsp", "-t"},
      {"lsp", "--max-message-mb", "0"},
      {"lsp", "--port", "0", "--initialize-timeout-s", "0"},
      {"lsp", "--threads", "0"},
    };
    for (String[] c : cases) {
      CliTest.Run expected = full(c);
      CliTest.Run actual = fast(c);
      String what = String.join(" ", c);
      assertEquals(expected, actual, what);
      assertTrue(!actual.out().isEmpty() || !actual.err().isEmpty(), what + " printed nothing");
    }
    assertTrue(fast("lsp", "--help").out().startsWith("Usage: cromwell lsp "));
    assertTrue(fast("lsp", "-V").out().startsWith("cromwell "), fast("lsp", "-V").out());
  }
}
