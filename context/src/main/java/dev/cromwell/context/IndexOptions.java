package dev.cromwell.context;

import java.nio.file.Path;
import java.util.List;

/**
 * How the workspace is indexed.
 *
 * @param maxFileBytes files larger than this are skipped (their contents would crowd out everything
 *     else anyway)
 * @param excludes extra gitignore-style patterns, applied in every root on top of .gitignore
 * @param globalExcludesFile git's global excludes file, or null to look it up like git does
 *     (core.excludesFile, else $XDG_CONFIG_HOME/git/ignore or ~/.config/git/ignore)
 */
public record IndexOptions(long maxFileBytes, List<String> excludes, Path globalExcludesFile) {
  /** Folders never worth indexing: version control, dependencies, build output, caches. */
  public static final List<String> BUILT_IN_EXCLUDES =
      List.of(
          ".git/",
          ".hg/",
          ".svn/",
          "node_modules/",
          "target/",
          "build/",
          "dist/",
          "out/",
          "__pycache__/",
          ".venv/",
          "venv/",
          ".idea/",
          ".gradle/",
          ".mypy_cache/",
          ".pytest_cache/",
          ".cromwell/");

  public IndexOptions {
    excludes = List.copyOf(excludes);
    if (maxFileBytes <= 0) {
      throw new IllegalArgumentException("maxFileBytes must be positive, got " + maxFileBytes);
    }
  }

  public static IndexOptions defaults() {
    return new IndexOptions(1_000_000, List.of(), null);
  }
}
