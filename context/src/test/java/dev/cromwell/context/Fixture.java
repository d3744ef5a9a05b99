package dev.cromwell.context;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes fixture workspaces for tests. */
final class Fixture {
  final Path root;

  Fixture(Path root) {
    this.root = root;
  }

  Path write(String relative, String text) {
    return write(relative, text.getBytes(StandardCharsets.UTF_8));
  }

  Path write(String relative, byte[] bytes) {
    try {
      Path p = root.resolve(relative);
      Files.createDirectories(p.getParent());
      Files.write(p, bytes);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  WorkspaceIndex index() {
    return index(IndexOptions.defaults());
  }

  WorkspaceIndex index(IndexOptions options) {
    WorkspaceIndex index = new WorkspaceIndex(java.util.List.of(root), options);
    index.indexAll(IndexProgress.NONE);
    return index;
  }

  static java.util.Set<String> paths(WorkspaceIndex index) {
    java.util.Set<String> out = new java.util.TreeSet<>();
    index.files().forEach(f -> out.add(f.relativePath()));
    return out;
  }
}
