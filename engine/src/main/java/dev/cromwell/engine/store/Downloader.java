package dev.cromwell.engine.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.LongConsumer;

/**
 * Downloads a URL into a file, resuming from the bytes already there with a range request (a server
 * that ignores the range sends everything again, and the file starts over).
 */
final class Downloader {
  private final Http http;

  Downloader(Http http) {
    this.http = http;
  }

  /**
   * Makes {@code file} hold the whole body of {@code uri}.
   *
   * @param expected the body's size when known (a file of that size is taken as complete), or -1
   * @param progress told the file's size after every buffer written
   */
  void download(URI uri, Path file, long expected, LongConsumer progress) throws PullException {
    long have = size(file);
    if (expected >= 0 && have == expected) {
      progress.accept(have);
      return;
    }
    if (expected >= 0 && have > expected) {
      have = truncate(file, 0);
    }
    HttpResponse<InputStream> response = http.get(uri, null, have);
    boolean startOver = false;
    try (InputStream body = response.body()) {
      int status = response.statusCode();
      if (status == 416 && have > 0) {
        // The range starts at or past the end: what we hold is not a prefix of this body.
        startOver = true;
      } else {
        receive(status, body, uri, file, have, progress);
      }
    } catch (IOException e) {
      if (e instanceof PullException p) {
        throw p;
      }
      throw Http.unreachable(uri, e);
    }
    if (startOver) {
      truncate(file, 0);
      download(uri, file, expected, progress);
      return;
    }
    long got = size(file);
    if (expected >= 0 && got != expected) {
      throw new PullException(
          uri
              + " ended after "
              + got
              + " of "
              + expected
              + " bytes; run the same command again to resume");
    }
  }

  private static void receive(
      int status, InputStream body, URI uri, Path file, long have, LongConsumer progress)
      throws PullException {
    if (status == 404) {
      throw new PullException(uri + " is not there (HTTP 404)");
    }
    if (status != 200 && status != 206) {
      throw new PullException(uri + " answered HTTP " + status);
    }
    long from = status == 200 && have > 0 ? truncate(file, 0) : have;
    copy(body, uri, file, from, progress);
  }

  private static void copy(InputStream body, URI uri, Path file, long have, LongConsumer progress)
      throws PullException {
    byte[] buffer = new byte[1 << 20];
    long written = have;
    try (OutputStream out =
        Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      while (true) {
        int n;
        try {
          n = body.read(buffer);
        } catch (IOException e) {
          throw new PullException(
              "the download of "
                  + file.getFileName()
                  + " from "
                  + uri.getHost()
                  + " broke off after "
                  + written
                  + " bytes ("
                  + e.getMessage()
                  + "); run the same command again to resume",
              e);
        }
        if (n < 0) {
          break;
        }
        out.write(buffer, 0, n);
        written += n;
        progress.accept(written);
      }
    } catch (IOException e) {
      if (e instanceof PullException p) {
        throw p;
      }
      throw ModelPuller.writeFailed(file, e);
    }
  }

  static long size(Path file) throws PullException {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      throw ModelPuller.writeFailed(file, e);
    }
  }

  static long truncate(Path file, long length) throws PullException {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      ch.truncate(length);
      return length;
    } catch (IOException e) {
      throw ModelPuller.writeFailed(file, e);
    }
  }
}
