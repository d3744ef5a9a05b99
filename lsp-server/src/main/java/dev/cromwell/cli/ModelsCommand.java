package dev.cromwell.cli;

import dev.cromwell.engine.store.CatalogEntry;
import dev.cromwell.engine.store.ModelStore;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
    name = "models",
    mixinStandardHelpOptions = true,
    description = {
      "List the model catalogue and which models are installed.",
      "Any name listed works wherever a model file is accepted (-m NAME, the LSP \"model\"",
      "setting); the default is used when no model is given."
    })
final class ModelsCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    ModelStore store = ModelStore.fromEnvironment();
    CatalogEntry defaultEntry = store.catalog().defaultEntry();
    out.printf(
        "%-30s %-7s %-8s %-6s %10s  %s%n", "name", "params", "quant", "arch", "size", "installed");
    for (CatalogEntry e : store.catalog().entries()) {
      out.printf(
          "%-30s %-7s %-8s %-6s %10s  %s%n",
          e.name() + (e == defaultEntry ? " *" : ""),
          e.parameters(),
          e.quantization(),
          e.family(),
          InfoCommand.human(e.bytes()),
          store.installed(e) ? "yes" : "no (cromwell pull " + e.name() + ")");
    }
    out.println();
    out.println("* default model (used when none is given)");
    out.println("store: " + store.models());
    out.flush();
    return 0;
  }
}
