package dev.cromwell.lsp;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The client's side of LSP framing for tests that speak raw bytes (pipes, a process's stdio, a
 * socket): a strict reader written independently of the server's, so a framing bug on the server
 * cannot hide behind the same bug here.
 */
final class ClientFrames {
  private ClientFrames() {}

  /** {@code json} with its Content-Length header. */
  static String frame(String json) {
    return "Content-Length: " + json.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + json;
  }

  /** The next message on {@code in}, or null when the stream ends. */
  static JsonObject read(InputStream in) throws IOException {
    int length = -1;
    try {
      String line;
      while (!(line = readLine(in)).isEmpty()) {
        if (line.regionMatches(true, 0, "Content-Length: ", 0, 16)) {
          length = Integer.parseInt(line.substring(16).trim());
        }
      }
    } catch (EndOfStream e) {
      return null;
    }
    byte[] body = in.readNBytes(length);
    if (body.length < length) {
      return null;
    }
    return JsonParser.parseString(new String(body, StandardCharsets.UTF_8)).getAsJsonObject();
  }

  /** Whether {@code o} answers request {@code id} (the server's own requests carry ids too). */
  static boolean isAnswerTo(JsonObject o, int id) {
    return o.has("id")
        && !o.get("id").isJsonNull()
        && !o.has("method")
        && o.get("id").getAsString().equals(String.valueOf(id));
  }

  /** A line of the header; the stream ending mid-header counts as the end. */
  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new EndOfStream();
      }
      line.write(b);
    }
    String s = line.toString(StandardCharsets.US_ASCII);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  private static final class EndOfStream extends IOException {
    private static final long serialVersionUID = 1L;

    EndOfStream() {
      super("the stream ended");
    }
  }

  /** Reads every message of a stream on a daemon thread, for tests to wait on. */
  static final class Inbox {
    private final BlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();

    /** Every message read, in order, including those {@link #answerTo} skipped. */
    private final List<JsonObject> all = new java.util.concurrent.CopyOnWriteArrayList<>();

    private final Thread reader;

    Inbox(InputStream in, String threadName) {
      reader = new Thread(() -> readAll(in), threadName);
      reader.setDaemon(true);
      reader.start();
    }

    /**
     * How many answers to request {@code id} came, once the stream has ended (waiting for that up
     * to {@code seconds}): an answer given twice (early and again by the server) shows here.
     */
    int answersTo(int id, int seconds) throws InterruptedException {
      reader.join(TimeUnit.SECONDS.toMillis(seconds));
      if (reader.isAlive()) {
        throw new AssertionError("the stream did not end within " + seconds + " s");
      }
      return (int) all.stream().filter(o -> isAnswerTo(o, id)).count();
    }

    /** The answer to request {@code id}, skipping everything else; {@code context} explains. */
    JsonObject answerTo(int id, int seconds, Supplier<String> context) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (System.nanoTime() < deadline) {
        JsonObject o = received.poll(100, TimeUnit.MILLISECONDS);
        if (o != null && isAnswerTo(o, id)) {
          return o;
        }
      }
      throw new AssertionError(
          "no answer to request " + id + " within " + seconds + " s; " + context.get());
    }

    private void readAll(InputStream in) {
      try {
        JsonObject o;
        while ((o = read(in)) != null) {
          all.add(o);
          received.add(o);
        }
      } catch (IOException | RuntimeException e) {
        // the stream ended or was closed: nothing more will come
      }
    }
  }
}
