package dev.cromwell.context;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who imports whom, where each name is defined, and which files use which identifiers: derived from
 * the index and rebuilt when the set of files or their imports change.
 */
public final class ImportGraph {
  /** A definition: the file and the symbol. */
  public record Definition(IndexedFile file, Symbol symbol) {}

  private final long generation;
  private final Map<Path, Set<Path>> imports = new HashMap<>();
  private final Map<Path, Set<Path>> importedBy = new HashMap<>();
  private final Map<String, List<Definition>> definitions = new HashMap<>();
  private final Map<String, List<Path>> filesUsing = new HashMap<>();

  private ImportGraph(long generation) {
    this.generation = generation;
  }

  long generation() {
    return generation;
  }

  /** Files that {@code file} imports (resolved within the workspace). */
  public Set<Path> importsOf(Path file) {
    return imports.getOrDefault(file, Set.of());
  }

  /** Files that import {@code file}. */
  public Set<Path> importersOf(Path file) {
    return importedBy.getOrDefault(file, Set.of());
  }

  /** Where {@code name} is defined. */
  public List<Definition> definitionsOf(String name) {
    return definitions.getOrDefault(name, List.of());
  }

  /** Files whose code uses {@code identifier}. */
  public List<Path> filesUsing(String identifier) {
    return filesUsing.getOrDefault(identifier, List.of());
  }

  static ImportGraph build(WorkspaceIndex index, long generation) {
    ImportGraph g = new ImportGraph(generation);
    Resolver resolver = new Resolver(index);
    for (IndexedFile f : index.files()) {
      for (Symbol s : f.facts().symbols()) {
        g.definitions.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(new Definition(f, s));
      }
      for (String id : f.facts().identifiers()) {
        g.filesUsing.computeIfAbsent(id, k -> new ArrayList<>()).add(f.path());
      }
      Set<Path> targets = new LinkedHashSet<>();
      for (String spec : f.facts().imports()) {
        targets.addAll(resolver.resolve(f, spec));
      }
      targets.remove(f.path());
      g.imports.put(f.path(), Collections.unmodifiableSet(targets));
      for (Path t : targets) {
        g.importedBy.computeIfAbsent(t, k -> new LinkedHashSet<>()).add(f.path());
      }
    }
    g.definitions
        .values()
        .forEach(
            list ->
                list.sort((a, b) -> a.file().relativePath().compareTo(b.file().relativePath())));
    return g;
  }

  /** Maps import specs to indexed files, per language. */
  private static final class Resolver {
    private final WorkspaceIndex index;
    private final Map<String, List<Path>> pythonModules = new HashMap<>();
    private final Map<String, List<Path>> jvmPackages = new HashMap<>();
    private final Map<String, List<Path>> jvmTypes = new HashMap<>();
    private final Map<String, List<Path>> byFileName = new HashMap<>();
    private final Map<String, List<Path>> byRelativePath = new HashMap<>();
    private final Map<String, List<Path>> goDirectories = new HashMap<>();

    Resolver(WorkspaceIndex index) {
      this.index = index;
      for (IndexedFile f : index.files()) {
        String rel = f.relativePath();
        byRelativePath.computeIfAbsent(rel, k -> new ArrayList<>()).add(f.path());
        byFileName
            .computeIfAbsent(f.path().getFileName().toString(), k -> new ArrayList<>())
            .add(f.path());
        switch (f.language()) {
          case PYTHON -> {
            String module =
                rel.replaceAll("\\.pyi?$", "").replace("/__init__", "").replace('/', '.');
            String[] parts = module.split("\\.");
            for (int i = 0; i < parts.length; i++) {
              pythonModules
                  .computeIfAbsent(
                      String.join(".", java.util.Arrays.copyOfRange(parts, i, parts.length)),
                      k -> new ArrayList<>())
                  .add(f.path());
            }
          }
          case JAVA, KOTLIN -> {
            String pkg = f.facts().packageName();
            jvmPackages.computeIfAbsent(pkg, k -> new ArrayList<>()).add(f.path());
            String simple = f.path().getFileName().toString().replaceAll("\\.(java|kt|kts)$", "");
            jvmTypes
                .computeIfAbsent(
                    pkg.isEmpty() ? simple : pkg + "." + simple, k -> new ArrayList<>())
                .add(f.path());
            for (Symbol s : f.facts().symbols()) {
              if (!s.kind().equals("method") && !s.kind().equals("function")) {
                jvmTypes
                    .computeIfAbsent(
                        pkg.isEmpty() ? s.name() : pkg + "." + s.name(), k -> new ArrayList<>())
                    .add(f.path());
              }
            }
          }
          case GO -> {
            int slash = rel.lastIndexOf('/');
            goDirectories
                .computeIfAbsent(slash < 0 ? "" : rel.substring(0, slash), k -> new ArrayList<>())
                .add(f.path());
          }
          default -> {}
        }
      }
    }

    List<Path> resolve(IndexedFile from, String spec) {
      return switch (from.language()) {
        case PYTHON -> python(from, spec);
        case JAVA, KOTLIN -> jvm(spec);
        case JAVASCRIPT, TYPESCRIPT -> javascript(from, spec);
        case GO -> go(spec);
        case RUST -> rust(from, spec);
        case C, CPP -> include(from, spec);
        default -> List.of();
      };
    }

    private List<Path> python(IndexedFile from, String spec) {
      if (spec.startsWith(".")) {
        int dots = 0;
        while (dots < spec.length() && spec.charAt(dots) == '.') {
          dots++;
        }
        Path base = from.path().getParent();
        for (int i = 1; i < dots && base != null; i++) {
          base = base.getParent();
        }
        if (base == null) {
          return List.of();
        }
        String rest = spec.substring(dots).replace('.', '/');
        Path target = rest.isEmpty() ? base : base.resolve(rest);
        return existing(
            target.resolveSibling(target.getFileName() + ".py"), target.resolve("__init__.py"));
      }
      return pythonModules.getOrDefault(spec, List.of());
    }

    private List<Path> jvm(String spec) {
      if (spec.endsWith(".*")) {
        return jvmPackages.getOrDefault(spec.substring(0, spec.length() - 2), List.of());
      }
      // a.b.C, or a.b.C.member for static imports: drop segments until something matches.
      for (String name = spec;
          name.contains(".");
          name = name.substring(0, name.lastIndexOf('.'))) {
        List<Path> found = jvmTypes.get(name);
        if (found != null) {
          return found;
        }
      }
      return List.of();
    }

    private List<Path> javascript(IndexedFile from, String spec) {
      if (!spec.startsWith(".")) {
        return List.of();
      }
      Path base = from.path().getParent().resolve(spec).normalize();
      List<Path> candidates = new ArrayList<>();
      candidates.add(base);
      for (String ext : List.of(".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".d.ts")) {
        candidates.add(base.resolveSibling(base.getFileName() + ext));
      }
      for (String ext : List.of("index.ts", "index.tsx", "index.js", "index.jsx")) {
        candidates.add(base.resolve(ext));
      }
      // TypeScript sources often import "./x.js" meaning "./x.ts".
      String name = base.getFileName().toString();
      if (name.endsWith(".js")) {
        candidates.add(base.resolveSibling(name.substring(0, name.length() - 3) + ".ts"));
      }
      for (Path c : candidates) {
        if (index.file(c).isPresent()) {
          return List.of(index.normalize(c));
        }
      }
      return List.of();
    }

    private List<Path> go(String spec) {
      String[] parts = spec.split("/");
      for (int i = 0; i < parts.length; i++) {
        String suffix = String.join("/", java.util.Arrays.copyOfRange(parts, i, parts.length));
        for (Map.Entry<String, List<Path>> e : goDirectories.entrySet()) {
          if (e.getKey().equals(suffix) || e.getKey().endsWith("/" + suffix)) {
            return e.getValue();
          }
        }
      }
      return List.of();
    }

    private List<Path> rust(IndexedFile from, String spec) {
      Path dir = from.path().getParent();
      String fileName = from.path().getFileName().toString();
      Path moduleDir =
          fileName.equals("lib.rs") || fileName.equals("main.rs") || fileName.equals("mod.rs")
              ? dir
              : dir.resolve(fileName.replaceAll("\\.rs$", ""));
      if (spec.startsWith("mod:")) {
        String name = spec.substring(4);
        return existing(
            moduleDir.resolve(name + ".rs"),
            moduleDir.resolve(name).resolve("mod.rs"),
            dir.resolve(name + ".rs"));
      }
      String[] parts = spec.split("::");
      List<String> path = new ArrayList<>(List.of(parts));
      Path base;
      if (path.get(0).equals("crate")) {
        base = crateSource(from.path());
        path.remove(0);
      } else if (path.get(0).equals("self")) {
        base = moduleDir;
        path.remove(0);
      } else if (path.get(0).equals("super")) {
        base = moduleDir.getParent();
        path.remove(0);
      } else {
        return List.of();
      }
      if (base == null) {
        return List.of();
      }
      for (int n = path.size(); n > 0; n--) {
        String joined = String.join("/", path.subList(0, n));
        List<Path> found =
            existing(base.resolve(joined + ".rs"), base.resolve(joined).resolve("mod.rs"));
        if (!found.isEmpty()) {
          return found;
        }
      }
      return List.of();
    }

    private static Path crateSource(Path file) {
      for (Path p = file.getParent(); p != null; p = p.getParent()) {
        if (Files.isRegularFile(p.resolve("Cargo.toml"))) {
          return p.resolve("src");
        }
        if (p.getFileName() != null && p.getFileName().toString().equals("src")) {
          return p;
        }
      }
      return null;
    }

    private List<Path> include(IndexedFile from, String spec) {
      boolean angle = spec.startsWith("<");
      String name = angle ? spec.substring(1) : spec;
      if (!angle) {
        List<Path> local = existing(from.path().getParent().resolve(name).normalize());
        if (!local.isEmpty()) {
          return local;
        }
      }
      List<Path> exact = byRelativePath.get(name);
      if (exact != null) {
        return exact;
      }
      String fileName = name.substring(name.lastIndexOf('/') + 1);
      List<Path> found = new ArrayList<>();
      for (Path candidate : byFileName.getOrDefault(fileName, List.of())) {
        if (candidate.toString().replace('\\', '/').endsWith("/" + name)) {
          found.add(candidate);
        }
      }
      return found;
    }

    private List<Path> existing(Path... candidates) {
      for (Path c : candidates) {
        if (index.file(c).isPresent()) {
          return List.of(index.normalize(c));
        }
      }
      return List.of();
    }
  }
}
