package dev.cromwell.context;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jgit.ignore.IgnoreNode;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.util.SystemReader;

/**
 * Git's ignore semantics for one workspace root, using JGit's rule matcher: the .gitignore of every
 * folder (deeper files win, negations re-include), then .git/info/exclude, then the global excludes
 * file; the built-in and user-configured excludes are applied first and cannot be negated. Works
 * the same in folders that are not git repositories.
 */
final class IgnoreRules {
  private final Path root;
  private final IgnoreNode forced;
  private final IgnoreNode infoExclude;
  private final IgnoreNode global;
  private final ConcurrentHashMap<Path, IgnoreNode> perFolder = new ConcurrentHashMap<>();
  private static final IgnoreNode EMPTY = new IgnoreNode();

  IgnoreRules(Path root, IndexOptions options) {
    this.root = root;
    List<String> forcedLines = new ArrayList<>(IndexOptions.BUILT_IN_EXCLUDES);
    forcedLines.addAll(options.excludes());
    this.forced = parse(String.join("\n", forcedLines));
    this.infoExclude = load(root.resolve(".git").resolve("info").resolve("exclude"));
    Path globalFile =
        options.globalExcludesFile() != null ? options.globalExcludesFile() : globalExcludesFile();
    this.global = globalFile == null ? EMPTY : load(globalFile);
  }

  /** Whether {@code path} (inside the root) is ignored; {@code directory} says what it is. */
  boolean isIgnored(Path path, boolean directory) {
    String relative = slashed(root.relativize(path));
    if (relative.isEmpty()) {
      return false;
    }
    if (matches(forced, relative, directory) == Boolean.TRUE) {
      return true;
    }
    // Deepest .gitignore first: the first file with a matching rule decides.
    for (Path folder = path.getParent();
        folder != null && folder.startsWith(root);
        folder = folder.getParent()) {
      IgnoreNode node = perFolder.computeIfAbsent(folder, f -> load(f.resolve(".gitignore")));
      Boolean decided = matches(node, slashed(folder.relativize(path)), directory);
      if (decided != null) {
        return decided;
      }
      if (folder.equals(root)) {
        break;
      }
    }
    Boolean decided = matches(infoExclude, relative, directory);
    if (decided != null) {
      return decided;
    }
    return matches(global, relative, directory) == Boolean.TRUE;
  }

  /** Forgets a folder's parsed .gitignore (after it changed). */
  void invalidate(Path folder) {
    perFolder.remove(folder);
  }

  private static Boolean matches(IgnoreNode node, String relative, boolean directory) {
    return node.checkIgnored(relative, directory);
  }

  private static String slashed(Path relative) {
    return relative.toString().replace('\\', '/');
  }

  private static IgnoreNode load(Path file) {
    if (!Files.isRegularFile(file)) {
      return EMPTY;
    }
    try {
      return parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      return EMPTY; // an unreadable ignore file ignores nothing, as git does
    }
  }

  private static IgnoreNode parse(String rules) {
    IgnoreNode node = new IgnoreNode();
    try (InputStream in =
        new java.io.ByteArrayInputStream(rules.getBytes(StandardCharsets.UTF_8))) {
      node.parse(in);
    } catch (IOException e) {
      throw new IllegalStateException("cannot parse ignore rules", e);
    }
    return node;
  }

  private static Path globalExcludesFile() {
    try {
      StoredConfig config = SystemReader.getInstance().getUserConfig();
      String configured = config.getString("core", null, "excludesfile");
      if (configured != null && !configured.isBlank()) {
        String home = System.getProperty("user.home");
        return Path.of(configured.startsWith("~/") ? home + configured.substring(1) : configured);
      }
    } catch (Exception e) {
      // No readable user config: fall through to the default location.
    }
    String xdg = System.getenv("XDG_CONFIG_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".config");
    return base.resolve("git").resolve("ignore");
  }
}
