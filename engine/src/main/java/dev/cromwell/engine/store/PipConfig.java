package dev.cromwell.engine.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The package index pip would use: {@code PIP_INDEX_URL}, else {@code index-url} from pip's
 * configuration files (read in pip's order, later files overriding earlier ones; {@code [install]}
 * over {@code [global]}), else the public index. Only this one key is read.
 */
public final class PipConfig {
  public static final String PUBLIC_INDEX = "https://pypi.org/simple/";

  private PipConfig() {}

  public static String indexUrl(Map<String, String> env, Path userHome) {
    String fromEnv = env.get("PIP_INDEX_URL");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv.trim();
    }
    String found = null;
    for (Path file : files(env, userHome)) {
      Optional<String> url = read(file);
      if (url.isPresent()) {
        found = url.get();
      }
    }
    return found == null ? PUBLIC_INDEX : found;
  }

  /** pip's configuration files on Unix, in loading order: global, user, site, PIP_CONFIG_FILE. */
  static List<Path> files(Map<String, String> env, Path userHome) {
    List<Path> files = new ArrayList<>();
    String dirs = env.getOrDefault("XDG_CONFIG_DIRS", "/etc/xdg");
    for (String d : dirs.split(":")) {
      if (!d.isBlank()) {
        files.add(Path.of(d, "pip", "pip.conf"));
      }
    }
    files.add(Path.of("/etc/pip.conf"));
    files.add(userHome.resolve(".pip").resolve("pip.conf"));
    String config = env.get("XDG_CONFIG_HOME");
    Path configHome =
        config == null || config.isBlank() ? userHome.resolve(".config") : Path.of(config);
    files.add(configHome.resolve("pip").resolve("pip.conf"));
    String venv = env.get("VIRTUAL_ENV");
    if (venv != null && !venv.isBlank()) {
      files.add(Path.of(venv, "pip.conf"));
    }
    String explicit = env.get("PIP_CONFIG_FILE");
    if (explicit != null && !explicit.isBlank() && !explicit.equals("/dev/null")) {
      files.add(Path.of(explicit));
    }
    return files;
  }

  /** {@code index-url} of one INI file: {@code [install]} wins over {@code [global]}. */
  static Optional<String> read(Path file) {
    List<String> lines;
    try {
      if (!Files.isRegularFile(file)) {
        return Optional.empty();
      }
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return Optional.empty(); // an unreadable pip config is pip's problem; we use the default
    }
    String section = "";
    String global = null;
    String install = null;
    for (String raw : lines) {
      String line = raw.strip();
      if (line.startsWith("[") && line.endsWith("]")) {
        section = line.substring(1, line.length() - 1).strip().toLowerCase(java.util.Locale.ROOT);
        continue;
      }
      int eq = line.indexOf('=');
      if (eq < 0 || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      String key = line.substring(0, eq).strip().replace('_', '-');
      if (key.equals("index-url")) {
        String value = line.substring(eq + 1).strip();
        if (section.equals("global")) {
          global = value;
        } else if (section.equals("install")) {
          install = value;
        }
      }
    }
    return Optional.ofNullable(install != null ? install : global);
  }
}
