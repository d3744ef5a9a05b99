package dev.cromwell.lsp;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code cromwell lsp} as its own process (a JVM on the test class path, with the flags {@code
 * bin/cromwell} passes), spoken to over its real stdin and stdout as an editor does.
 */
final class LspProcess implements AutoCloseable {
  final Process process;
  final BlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();
  private final OutputStream in;
  private int nextId = 100;

  LspProcess(Path workingDirectory, Path stderr, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("--add-modules=jdk.incubator.vector");
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-Xmx512m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("dev.cromwell.cli.Main");
    command.add("lsp");
    command.addAll(List.of(args));
    process =
        new ProcessBuilder(command)
            .directory(workingDirectory.toFile())
            .redirectError(stderr.toFile())
            .start();
    in = process.getOutputStream();
    Thread reader = new Thread(() -> read(process.getInputStream()), "lsp-process-reader");
    reader.setDaemon(true);
    reader.start();
  }

  void notify(String method, JsonElement params) throws IOException {
    JsonObject m = new JsonObject();
    m.addProperty("jsonrpc", "2.0");
    m.addProperty("method", method);
    m.add("params", params);
    send(m);
  }

  int request(String method, JsonElement params) throws IOException {
    int id = nextId++;
    JsonObject m = new JsonObject();
    m.addProperty("jsonrpc", "2.0");
    m.addProperty("id", id);
    m.addProperty("method", method);
    m.add("params", params);
    send(m);
    return id;
  }

  /** The answer to {@code id}; other messages are dropped. */
  JsonObject answer(int id, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      JsonObject o = received.poll(100, TimeUnit.MILLISECONDS);
      if (o != null
          && o.has("id")
          && !o.get("id").isJsonNull()
          && o.get("id").getAsString().equals(String.valueOf(id))
          && !o.has("method")) {
        return o;
      }
    }
    throw new AssertionError("no answer to request " + id + " within " + seconds + " s");
  }

  void send(JsonObject message) throws IOException {
    byte[] body = message.toString().getBytes(StandardCharsets.UTF_8);
    in.write(("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    in.write(body);
    in.flush();
  }

  void closeInput() throws IOException {
    in.close();
  }

  private void read(InputStream out) {
    try {
      while (true) {
        int length = -1;
        String line;
        while (!(line = readLine(out)).isEmpty()) {
          if (line.regionMatches(true, 0, "Content-Length: ", 0, 16)) {
            length = Integer.parseInt(line.substring(16).trim());
          }
        }
        byte[] body = out.readNBytes(length);
        if (body.length < length) {
          return;
        }
        received.add(
            JsonParser.parseString(new String(body, StandardCharsets.UTF_8)).getAsJsonObject());
      }
    } catch (IOException | RuntimeException e) {
      // the process ended
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new IOException("closed");
      }
      line.write(b);
    }
    String s = line.toString(StandardCharsets.US_ASCII);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
