package dev.cromwell.context;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The indexed model of one or more workspace roots: every text file that is not ignored, with its
 * language, encoding, content hash, imports, definitions and identifiers.
 *
 * <p>Thread-safe. Queries see whatever is indexed so far, so a background walk of a large tree
 * never blocks completions. Open editor buffers override disk content; change and delete events
 * update only the file concerned.
 */
public final class WorkspaceIndex {
  static final int WINDOW_LINES = 60;
  static final int WINDOW_STEP = 30;

  private final List<Path> roots;
  private final IndexOptions options;
  private final Map<Path, IgnoreRules> ignores = new ConcurrentHashMap<>();
  private final Map<Path, IndexedFile> files = new ConcurrentHashMap<>();
  private final Map<Path, String> skipped = new ConcurrentHashMap<>();
  private final Map<Path, Long> recentEdits = new ConcurrentHashMap<>();
  private final Map<Path, Long> recentVisits = new ConcurrentHashMap<>();
  private final Map<TokenCounter, Map<String, Integer>> tokenCounts = new ConcurrentHashMap<>();
  private final AtomicLong structureGeneration = new AtomicLong();
  private volatile ImportGraph graph;
  private final Object graphLock = new Object();

  public WorkspaceIndex(List<Path> roots, IndexOptions options) {
    if (roots.isEmpty()) {
      throw new IllegalArgumentException("at least one workspace root is needed");
    }
    List<Path> real = new ArrayList<>();
    for (Path r : roots) {
      try {
        real.add(r.toRealPath());
      } catch (IOException e) {
        throw new IllegalArgumentException(
            r + ": workspace root does not exist or cannot be read", e);
      }
    }
    this.roots = List.copyOf(real);
    this.options = options;
    for (Path r : this.roots) {
      ignores.put(r, new IgnoreRules(r, options));
    }
  }

  public List<Path> roots() {
    return roots;
  }

  /** Walks every root and indexes what it finds, reporting progress; returns files indexed. */
  public int indexAll(IndexProgress progress) {
    long start = System.nanoTime();
    int[] counts = new int[2];
    for (Path root : roots) {
      walk(
          root,
          path -> {
            if (index(path)) {
              counts[0]++;
            } else {
              counts[1]++;
            }
            if ((counts[0] + counts[1]) % 200 == 0) {
              progress.update(counts[0], counts[1], path.toString());
            }
          });
    }
    structureGeneration.incrementAndGet();
    progress.done(counts[0], counts[1], (System.nanoTime() - start) / 1_000_000);
    return counts[0];
  }

  /** Runs {@link #indexAll} on a background thread. */
  public CompletableFuture<Integer> indexInBackground(IndexProgress progress) {
    CompletableFuture<Integer> future = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                future.complete(indexAll(progress));
              } catch (RuntimeException e) {
                future.completeExceptionally(e);
              }
            },
            "cromwell-indexer");
    t.setDaemon(true);
    t.start();
    return future;
  }

  /** Files indexed so far. */
  public Collection<IndexedFile> files() {
    return files.values();
  }

  public Optional<IndexedFile> file(Path path) {
    return Optional.ofNullable(files.get(normalize(path)));
  }

  /** Paths skipped and why (binary, too large, unreadable, symlink escaping the root...). */
  public Map<Path, String> skipped() {
    return Map.copyOf(skipped);
  }

  /** An editor opened or changed a document: its text replaces the disk content. */
  public void openDocument(Path path, String text) {
    Path p = normalize(path);
    IndexedFile previous = files.get(p);
    Path root = rootOf(p).orElse(p.getParent());
    IndexedFile updated =
        build(p, root, text.length(), System.currentTimeMillis(), "editor", text, true);
    files.put(p, updated);
    recentEdits.put(p, System.currentTimeMillis());
    if (previous == null || !previous.facts().imports().equals(updated.facts().imports())) {
      structureGeneration.incrementAndGet();
    }
  }

  /** The editor closed the document: fall back to the disk content. */
  public void closeDocument(Path path) {
    Path p = normalize(path);
    files.remove(p);
    index(p);
    structureGeneration.incrementAndGet();
  }

  /** A file was created or changed on disk (ignored while it is open in an editor). */
  public void fileChanged(Path path) {
    Path p = normalize(path);
    IndexedFile current = files.get(p);
    if (current != null && current.open()) {
      return;
    }
    if (p.getFileName().toString().equals(".gitignore")) {
      rootOf(p).ifPresent(r -> ignores.get(r).invalidate(p.getParent()));
    }
    index(p);
    structureGeneration.incrementAndGet();
  }

  public void fileDeleted(Path path) {
    Path p = normalize(path);
    files.remove(p);
    skipped.remove(p);
    structureGeneration.incrementAndGet();
  }

  /** Records that the user edited or looked at a file (recency counts in ranking). */
  public void recordEdit(Path path) {
    recentEdits.put(normalize(path), System.currentTimeMillis());
  }

  public void recordVisit(Path path) {
    recentVisits.put(normalize(path), System.currentTimeMillis());
  }

  Long lastEdit(Path path) {
    return recentEdits.get(path);
  }

  Long lastVisit(Path path) {
    return recentVisits.get(path);
  }

  /** Token count of a file's text, computed once per content hash. */
  public int tokens(IndexedFile file, TokenCounter counter) {
    return tokenCounts
        .computeIfAbsent(counter, c -> new ConcurrentHashMap<>())
        .computeIfAbsent(file.hash(), k -> counter.count(file.text()));
  }

  /**
   * The import graph for the current set of files (rebuilt when files or imports change). Built
   * once per change however many threads ask together (completions, the plan-ahead, the warm-up's
   * rehearsal): a build walks every file, so the others wait for it rather than build their own.
   */
  public ImportGraph graph() {
    ImportGraph g = graph;
    if (g != null && g.generation() == structureGeneration.get()) {
      return g; // the common case takes no lock
    }
    synchronized (graphLock) {
      long generation = structureGeneration.get();
      g = graph;
      if (g == null || g.generation() != generation) {
        g = ImportGraph.build(this, generation);
        graph = g;
      }
      return g;
    }
  }

  /** The workspace root that contains {@code path}. */
  public Optional<Path> rootOf(Path path) {
    Path p = normalize(path);
    return roots.stream().filter(p::startsWith).findFirst();
  }

  /** Absolute, normalized, with symlinks in the root resolved where possible. */
  public Path normalize(Path path) {
    Path absolute = path.toAbsolutePath().normalize();
    try {
      return absolute.toRealPath();
    } catch (IOException e) {
      Path parent = absolute.getParent();
      if (parent != null) {
        try {
          return parent.toRealPath().resolve(absolute.getFileName());
        } catch (IOException ignored) {
          // fall through
        }
      }
      return absolute;
    }
  }

  /** Whether a path inside a root is excluded by ignore rules. */
  public boolean isIgnored(Path path) {
    Path p = normalize(path);
    Optional<Path> root = rootOf(p);
    if (root.isEmpty()) {
      return true;
    }
    IgnoreRules rules = ignores.get(root.get());
    for (Path q = p; q != null && !q.equals(root.get()); q = q.getParent()) {
      if (rules.isIgnored(q, !q.equals(p) || Files.isDirectory(q))) {
        return true;
      }
    }
    return false;
  }

  private interface FileVisitor {
    void visit(Path file);
  }

  /** Depth-first walk that honours ignore rules and never leaves the root or loops. */
  private void walk(Path root, FileVisitor visitor) {
    IgnoreRules rules = ignores.get(root);
    Deque<Path> folders = new ArrayDeque<>();
    Set<Path> seen = new HashSet<>();
    folders.push(root);
    seen.add(root);
    while (!folders.isEmpty()) {
      Path folder = folders.pop();
      List<Path> entries = new ArrayList<>();
      try (DirectoryStream<Path> stream = Files.newDirectoryStream(folder)) {
        stream.forEach(entries::add);
      } catch (IOException e) {
        continue; // deleted or unreadable meanwhile
      }
      entries.sort(null);
      for (Path entry : entries) {
        BasicFileAttributes attributes;
        Path real;
        try {
          attributes = Files.readAttributes(entry, BasicFileAttributes.class);
          real = Files.isSymbolicLink(entry) ? entry.toRealPath() : entry;
        } catch (IOException e) {
          continue; // dangling symlink or deleted while walking
        }
        if (!real.startsWith(root)) {
          skipped.put(entry, "symbolic link leads outside the workspace");
          continue;
        }
        boolean directory = attributes.isDirectory();
        if (rules.isIgnored(entry, directory)) {
          continue;
        }
        if (directory) {
          if (seen.add(real)) {
            folders.push(real); // descendants get real paths, so every file has one key
          }
        } else if (attributes.isRegularFile()) {
          visitor.visit(real);
        }
      }
    }
  }

  /** Reads and indexes one file; false if it was skipped. */
  private boolean index(Path path) {
    Optional<Path> root = rootOf(path);
    if (root.isEmpty()) {
      return false;
    }
    try {
      BasicFileAttributes attributes =
          Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (attributes.size() > options.maxFileBytes()) {
        return skip(path, "larger than " + options.maxFileBytes() + " bytes");
      }
      byte[] bytes = Files.readAllBytes(path);
      TextDecoder.Decoded decoded = TextDecoder.decode(bytes);
      if (decoded.binary()) {
        return skip(path, "binary");
      }
      files.put(
          path,
          build(
              path,
              root.get(),
              bytes.length,
              attributes.lastModifiedTime().toMillis(),
              decoded.encoding(),
              decoded.text(),
              false));
      skipped.remove(path);
      return true;
    } catch (NoSuchFileException e) {
      files.remove(path);
      return false; // deleted while we looked
    } catch (IOException e) {
      return skip(path, "unreadable: " + e.getMessage());
    }
  }

  private boolean skip(Path path, String reason) {
    files.remove(path);
    skipped.put(path, reason);
    return false;
  }

  private static IndexedFile build(
      Path path, Path root, long size, long modified, String encoding, String text, boolean open) {
    String name = path.getFileName().toString();
    int firstBreak = text.indexOf('\n');
    Language language =
        Language.detect(name, firstBreak < 0 ? text : text.substring(0, firstBreak));
    SourceFacts facts = SourceAnalyzer.analyze(text, language);
    String relative = root.relativize(path).toString().replace('\\', '/');
    return new IndexedFile(
        path,
        root,
        relative,
        size,
        modified,
        hash(text),
        language,
        encoding,
        text,
        facts,
        windows(text, language),
        open);
  }

  static List<IndexedFile.Window> windows(String text, Language language) {
    String code = language.isCode() ? CodeText.stripCommentsAndStrings(text, language) : text;
    Lines lines = new Lines(code);
    List<IndexedFile.Window> windows = new ArrayList<>();
    for (int start = 0; start < lines.count(); start += WINDOW_STEP) {
      int end = Math.min(lines.count() - 1, start + WINDOW_LINES - 1);
      windows.add(
          new IndexedFile.Window(start, end, CodeText.identifiers(lines.range(start, end))));
      if (end == lines.count() - 1) {
        break;
      }
    }
    return windows;
  }

  static String hash(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
