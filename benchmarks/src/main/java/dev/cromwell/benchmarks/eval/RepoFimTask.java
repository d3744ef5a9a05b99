package dev.cromwell.benchmarks.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * A single-line fill-in-the-middle task in a real multi-file project: one line of one of its Python
 * files masked (its text after the indentation), the project's other files beside it in the
 * workspace, so that the prompt plan can rank snippets from them. There are no tests: the score is
 * exact match of the file.
 *
 * @param id task id ("cromwell_train/data.py line 12")
 * @param path the file, relative to the project folder ('/'-separated)
 * @param prefix the file up to the cursor (the masked line's indentation included)
 * @param target the masked text
 * @param suffix the file after the masked text (from its line end)
 */
public record RepoFimTask(String id, String path, String prefix, String target, String suffix) {

  /** The reference file. */
  public String reference() {
    return prefix + target + suffix;
  }

  /** Whether the first line of {@code middle} is {@code target} (trailing blanks ignored). */
  public static boolean firstLineMatches(String middle, String target) {
    int end = middle.indexOf('\n');
    return (end < 0 ? middle : middle.substring(0, end))
        .stripTrailing()
        .equals(target.stripTrailing());
  }

  /**
   * The project's Python files (relative, '/'-separated, sorted; caches and hidden folders out).
   */
  public static List<String> pythonFiles(Path project) {
    try (Stream<Path> walk = Files.walk(project)) {
      return walk.filter(Files::isRegularFile)
          .map(p -> project.relativize(p).toString().replace('\\', '/'))
          .filter(r -> r.endsWith(".py"))
          .filter(r -> !r.contains("__pycache__") && !r.startsWith(".") && !r.contains("/."))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the FIM project " + project, e);
    }
  }

  /**
   * {@code perFile} lines drawn with {@code seed} from each Python file of {@code project} (every
   * line with a letter, digit or underscore; seeded per file by its path, so the same lines on
   * every run), in file and line order.
   */
  public static List<RepoFimTask> sample(Path project, int perFile, long seed) {
    List<RepoFimTask> out = new ArrayList<>();
    for (String relative : pythonFiles(project)) {
      String text;
      try {
        text = Files.readString(project.resolve(relative), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the FIM project file " + relative, e);
      }
      List<String> lines = FimTask.lines(text);
      List<Integer> candidates = new ArrayList<>();
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).codePoints().anyMatch(c -> Character.isLetterOrDigit(c) || c == '_')) {
          candidates.add(i);
        }
      }
      Collections.shuffle(candidates, new Random(seed * 1_000_003L + relative.hashCode()));
      List<Integer> picked =
          new ArrayList<>(candidates.subList(0, Math.min(perFile, candidates.size())));
      picked.sort(null);
      for (int i : picked) {
        int start = 0;
        for (int j = 0; j < i; j++) {
          start += lines.get(j).length();
        }
        String line = lines.get(i).replaceFirst("\r?\n$", "");
        String indent = line.substring(0, line.length() - line.stripLeading().length());
        int from = start + indent.length();
        int to = start + line.length();
        out.add(
            new RepoFimTask(
                relative + " line " + (i + 1),
                relative,
                text.substring(0, from),
                text.substring(from, to),
                text.substring(to)));
      }
    }
    return out;
  }
}
