package dev.cromwell.edit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The backup folder ({@code <root>/.cromwell/backups}): one copy per write, named {@code <relative
 * path>.<timestamp>}, bounded to the last {@code perFile} copies of each file and to {@code
 * maxBytes} in all (oldest first go). It must stay inside the workspace: a {@code .cromwell} that
 * is a link (which a cloned repository can carry) is refused rather than followed.
 */
final class Backups {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS");

  /** The stamp at the end of a backup's name; a counter follows when two share a millisecond. */
  private static final Pattern STAMPED = Pattern.compile("\\.(\\d{8}-\\d{6}-\\d{3}(?:-\\d+)?)$");

  private final Path realRoot;
  private final Path folder;
  private final int perFile;
  private final long maxBytes;

  Backups(Path realRoot, Path folder, int perFile, long maxBytes) {
    this.realRoot = realRoot;
    this.folder = folder;
    this.perFile = perFile;
    this.maxBytes = maxBytes;
  }

  /** Refuses a backup folder that is, or passes through, a symbolic link, or lies outside. */
  void requireInside() throws IOException {
    WorkspacePaths.requireNoLinks(realRoot, folder, "the backup folder");
  }

  /** Copies {@code target} into the backups, prunes, and returns the copy. */
  Path keep(Path target) throws IOException {
    requireInside();
    Path relative =
        target.startsWith(realRoot) ? realRoot.relativize(target) : target.getFileName();
    String base = folder.resolve(relative).toString() + "." + LocalDateTime.now().format(STAMP);
    Path backup = Path.of(base);
    for (int n = 1; Files.exists(backup); n++) {
      backup = Path.of(base + "-" + n);
    }
    Files.createDirectories(backup.getParent());
    WorkspacePaths.requireNoLinks(realRoot, backup, "the backup");
    Files.copy(target, backup, StandardCopyOption.COPY_ATTRIBUTES);
    prune(backup);
    return backup;
  }

  private void prune(Path kept) throws IOException {
    String name = kept.getFileName().toString();
    Matcher own = STAMPED.matcher(name);
    own.find();
    String prefix = name.substring(0, own.start());
    List<Path> siblings = new ArrayList<>();
    try (Stream<Path> files = Files.list(kept.getParent())) {
      files
          .filter(Files::isRegularFile)
          .filter(p -> stampOf(p) != null)
          .filter(p -> p.getFileName().toString().startsWith(prefix + "."))
          .filter(p -> stampStart(p) == prefix.length())
          .sorted(Comparator.comparing(Backups::stampOf))
          .forEach(siblings::add);
    }
    for (int i = 0; i < siblings.size() - perFile; i++) {
      if (!siblings.get(i).equals(kept)) {
        Files.deleteIfExists(siblings.get(i));
      }
    }
    record Entry(Path path, String stamp, long size) {}
    List<Entry> all = new ArrayList<>();
    long total = 0;
    // Files.walk does not follow links, so a link planted inside the backups is never followed.
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        if (a.isRegularFile() && stampOf(p) != null) {
          all.add(new Entry(p, stampOf(p), a.size()));
          total += a.size();
        }
      }
    }
    all.sort(Comparator.comparing(Entry::stamp));
    for (Entry e : all) {
      if (total <= maxBytes) {
        break;
      }
      if (!e.path().equals(kept)) {
        Files.deleteIfExists(e.path());
        total -= e.size();
      }
    }
  }

  private static String stampOf(Path p) {
    Matcher m = STAMPED.matcher(p.getFileName().toString());
    return m.find() ? m.group(1) : null;
  }

  private static int stampStart(Path p) {
    Matcher m = STAMPED.matcher(p.getFileName().toString());
    return m.find() ? m.start() : -1;
  }
}
