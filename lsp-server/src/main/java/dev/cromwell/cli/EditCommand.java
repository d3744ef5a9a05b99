package dev.cromwell.cli;

import dev.cromwell.edit.AtomicWriter;
import dev.cromwell.edit.EditService;
import dev.cromwell.edit.ModelEditModel;
import dev.cromwell.edit.TextFile;
import dev.cromwell.edit.UnifiedDiff;
import dev.cromwell.edit.WorkspacePaths;
import dev.cromwell.engine.model.Model;
import dev.cromwell.protocol.edit.EditException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "edit",
    mixinStandardHelpOptions = true,
    description = {
      "Edit lines of a file by instruction; print the diff, and with --apply write it.",
      "FILE:L1-L2 selects lines (1-based, inclusive; default: the whole file). The diff is",
      "coloured on a terminal. --apply writes atomically (temporary file, fsync, rename), keeps",
      "permissions, line endings and encoding, and keeps a backup in .cromwell/backups/ unless",
      "--no-backup (the last --keep-backups per file, at most --backup-max-mb in all). Files",
      "outside the workspace root, read-only files (unless --force) and a .cromwell that is a",
      "link are refused. Edits decode greedily, speculating by prompt lookup on models 768 or more",
      "wide (where it was measured to pay); --draft adds a",
      "draft model (same answer, faster). A fix (\"fix the bug\") whose answer changes nothing",
      "looks again at the line the model finds least likely, when it reads unlikely enough to",
      "be the bug: the line is written again by fill-in-the-middle (a guess to check); written",
      "as it stands, the unchanged answer stands. Otherwise a one-token change after which",
      "the line reads likely (a token taken out or swapped) goes first (a guess to check);",
      "without one, the written line is taken, or else the model is asked again, pointed at",
      "the line. A likely line leaves the unchanged answer. An answer that changes other",
      "lines but keeps that line as it was has the line written again the same way; one that",
      "rewrites the line gives way to its one-token change when that reads at least as likely",
      "(a guess to check; the answer's other changes are dropped with it). Each such step is",
      "printed on stderr as \"fix: ...\"."
    })
final class EditCommand implements Callable<Integer> {
  private static final Pattern RANGE = Pattern.compile("^(.*?):(\\d+)(?:-(\\d+))?$");

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin ModelOptions model;

  @CommandLine.Mixin DraftOptions draft;

  @Parameters(index = "0", paramLabel = "FILE[:L1-L2]", description = "the file and lines to edit")
  String target;

  @Parameters(index = "1", paramLabel = "INSTRUCTION", description = "what to change")
  String instruction;

  @Option(names = "--apply", description = "write the change to the file")
  boolean apply;

  @Option(names = "--dry-run", description = "only show the diff (the default)")
  boolean dryRun;

  @Option(
      names = "--context",
      defaultValue = "3",
      description = "diff context lines (default: ${DEFAULT-VALUE})")
  int context;

  @Option(names = "--no-backup", description = "do not keep a backup of the original")
  boolean noBackup;

  @Option(names = "--force", description = "replace the file even if it is read-only")
  boolean force;

  @Option(
      names = "--keep-backups",
      paramLabel = "N",
      defaultValue = "10",
      description = "backups kept per file (default: ${DEFAULT-VALUE})")
  int keepBackups;

  @Option(
      names = "--backup-max-mb",
      paramLabel = "MB",
      defaultValue = "100",
      description = "the most all backups may take, oldest go first (default: ${DEFAULT-VALUE})")
  long backupMaxMb;

  @Option(
      names = "--root",
      paramLabel = "DIR",
      description = "workspace root (default: the current folder)")
  Path root;

  @Option(
      names = "--color",
      defaultValue = "auto",
      description = "auto, always or never (default: ${DEFAULT-VALUE})")
  String color;

  @Override
  public Integer call() throws IOException {
    if (apply && dryRun) {
      throw new IllegalArgumentException("choose --apply or --dry-run, not both");
    }
    if (backupMaxMb > Long.MAX_VALUE >> 20) {
      throw new IllegalArgumentException("--backup-max-mb " + backupMaxMb + " is too large");
    }
    // Validated before the model loads, like the range.
    AtomicWriter.Options writeOptions =
        new AtomicWriter.Options(force, keepBackups, backupMaxMb << 20);
    Matcher m = RANGE.matcher(target);
    String fileName = target;
    Integer first = null;
    Integer last = null;
    if (m.matches() && !Files.exists(Path.of(target))) {
      fileName = m.group(1);
      first = Integer.parseInt(m.group(2));
      last = m.group(3) == null ? first : Integer.parseInt(m.group(3));
    }
    Path workspace = (root != null ? root : Path.of("")).toAbsolutePath().normalize();
    Path file = WorkspacePaths.inside(workspace, Path.of(fileName));
    TextFile original = TextFile.read(file);
    int lines = original.text().isEmpty() ? 1 : (int) original.text().lines().count();
    int from = first == null ? 1 : first;
    int to = last == null ? lines : last;
    if (from < 1 || to < from || to > lines) {
      // Checked before the model loads: a bad range is the user's input, not the model's answer.
      throw new IllegalArgumentException(
          "bad range "
              + target
              + ": "
              + fileName
              + " has "
              + lines
              + (lines == 1 ? " line" : " lines")
              + "; give FILE:FIRST-LAST with 1 <= FIRST <= LAST <= "
              + lines);
    }
    Path backups = noBackup ? null : workspace.toRealPath().resolve(".cromwell").resolve("backups");
    if (apply) {
      // Refused before the model runs; AtomicWriter checks both again at the rename.
      AtomicWriter.requireWritable(file, writeOptions);
      if (backups != null) {
        WorkspacePaths.requireNoLinks(workspace.toRealPath(), backups, "the backup folder");
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String updated;
    try (Model m2 = Model.load(model.path(), model.options(0, Model.BATCH_PREFILL_CHUNK));
        DraftOptions.Loaded d = draft.load(m2, model.options(0, Model.BATCH_PREFILL_CHUNK))) {
      EditService service = new EditService(new ModelEditModel(m2, d.draft()));
      String relative = workspace.toRealPath().relativize(file).toString().replace('\\', '/');
      updated =
          service.edit(
              new EditService.Request(relative, original.text(), from, to, instruction),
              () -> false,
              step -> {
                if (step.toldToUsers()) {
                  err.println("fix: " + step.describe());
                  err.flush();
                }
              });
    } catch (EditException e) {
      throw new IllegalStateException(
          "the model's answer was refused: " + e.getMessage() + "; the file is unchanged");
    }
    if (updated.equals(original.text())) {
      err.println("no change");
      return 0;
    }
    printDiff(out, workspace.toRealPath().relativize(file).toString(), original.text(), updated);
    if (apply) {
      Path backup =
          new AtomicWriter(AtomicWriter.Steps.NONE, writeOptions)
              .replace(original, original.encode(updated), workspace.toRealPath(), backups);
      err.println("applied to " + file + (backup == null ? "" : " (backup: " + backup + ")"));
    }
    out.flush();
    return 0;
  }

  private void printDiff(PrintWriter out, String name, String before, String after) {
    List<String> diff = UnifiedDiff.lines(name, before, after, context);
    boolean colored =
        switch (color) {
          case "always" -> true;
          case "never" -> false;
          default -> System.console() != null && System.console().isTerminal();
        };
    for (String line : diff) {
      if (colored && line.startsWith("+") && !line.startsWith("+++")) {
        out.println("\u001b[32m" + line + "\u001b[0m");
      } else if (colored && line.startsWith("-") && !line.startsWith("---")) {
        out.println("\u001b[31m" + line + "\u001b[0m");
      } else if (colored && line.startsWith("@@")) {
        out.println("\u001b[36m" + line + "\u001b[0m");
      } else {
        out.println(line);
      }
    }
  }
}
