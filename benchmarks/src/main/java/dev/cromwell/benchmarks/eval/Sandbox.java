package dev.cromwell.benchmarks.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs model-written Python where it can do little harm: a fresh temporary folder as working
 * directory, an environment of only PATH and HOME (the folder), isolated mode ({@code python3 -I}),
 * limits on CPU time, address space, file size and processes ({@code prlimit}), a wall-clock limit,
 * and no network ({@code unshare -n}, when this machine allows it).
 */
public final class Sandbox {
  /** What a run gave: passed, or the reason it did not (last line of stderr, or the limit). */
  public record Outcome(boolean passed, String reason) {}

  private final long wallMillis;
  private final boolean network;
  private final boolean prlimit;

  public Sandbox(long wallMillis) {
    this.wallMillis = wallMillis;
    this.network = works("unshare", "-n", "true");
    this.prlimit = works("prlimit", "--nofile=64", "true");
  }

  /** How the code is confined, for the report. */
  public String description() {
    return "python3 -I in a temporary folder, only PATH and HOME set, "
        + wallMillis / 1000
        + " s wall"
        + (prlimit ? ", prlimit: 10 s CPU, 2 GiB address space, 16 MiB files, 64 processes" : "")
        + (network
            ? ", no network (unshare -n)"
            : ", network NOT isolated (unshare -n unavailable)");
  }

  public Outcome run(String program) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("cromwell-eval-");
      Path file = dir.resolve("program.py");
      Files.writeString(file, program, StandardCharsets.UTF_8);
      List<String> cmd = new ArrayList<>();
      if (network) {
        cmd.addAll(List.of("unshare", "-n", "--"));
      }
      if (prlimit) {
        cmd.addAll(
            List.of(
                "prlimit",
                "--cpu=10",
                "--as=" + (2L << 30),
                "--fsize=" + (16L << 20),
                "--nproc=64",
                "--"));
      }
      cmd.addAll(List.of("python3", "-I", "program.py"));
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
      pb.environment().clear();
      pb.environment().put("PATH", "/usr/bin:/bin");
      pb.environment().put("HOME", dir.toString());
      pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
      Path err = dir.resolve("stderr.txt");
      pb.redirectError(err.toFile());
      Process p = pb.start();
      if (!p.waitFor(wallMillis, TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor();
        return new Outcome(false, "timed out");
      }
      if (p.exitValue() == 0) {
        return new Outcome(true, "");
      }
      List<String> lines = Files.readAllLines(err, StandardCharsets.UTF_8);
      String last = lines.isEmpty() ? "exit " + p.exitValue() : lines.get(lines.size() - 1);
      return new Outcome(false, last.length() > 200 ? last.substring(0, 200) : last);
    } catch (IOException e) {
      return new Outcome(false, "sandbox: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(false, "interrupted");
    } finally {
      delete(dir);
    }
  }

  private static boolean works(String... command) {
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void delete(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temporary folder is harmless
    }
  }
}
