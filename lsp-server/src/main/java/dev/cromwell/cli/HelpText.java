package dev.cromwell.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * Commands' descriptions reflowed for {@code --help}: the source writes them as lines of about 90
 * characters, and picocli wraps every such line on its own at 80 columns, which left a word or two
 * on a line of its own after each. The first line (the summary) stays a paragraph; the lines after
 * it join into one paragraph, which picocli then wraps as a whole; an empty line starts another.
 */
final class HelpText {
  private HelpText() {}

  /** Reflows the description of {@code cli} and of every subcommand under it. */
  static void reflow(CommandLine cli) {
    CommandLine.Model.UsageMessageSpec usage = cli.getCommandSpec().usageMessage();
    usage.description(paragraphs(usage.description()));
    for (CommandLine sub : cli.getSubcommands().values()) {
      reflow(sub);
    }
  }

  static String[] paragraphs(String[] lines) {
    List<String> out = new ArrayList<>();
    StringBuilder paragraph = new StringBuilder();
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (i == 0 || line.isEmpty()) {
        flush(out, paragraph);
        if (!line.isEmpty()) {
          out.add(line);
        } else if (i > 0) {
          out.add("");
        }
        continue;
      }
      paragraph.append(paragraph.isEmpty() ? "" : " ").append(line);
    }
    flush(out, paragraph);
    return out.toArray(String[]::new);
  }

  private static void flush(List<String> out, StringBuilder paragraph) {
    if (!paragraph.isEmpty()) {
      out.add(paragraph.toString());
      paragraph.setLength(0);
    }
  }
}
