package dev.cromwell.lsp;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code cromwell lsp} as its own process (a JVM on the test class path, with the flags {@code
 * bin/cromwell} passes), spoken to over its real stdin and stdout as an editor does.
 */
final class LspProcess implements AutoCloseable {
  final Process process;
  private final OutputStream in;
  private final ClientFrames.Inbox inbox;
  private int nextId = 100;

  LspProcess(Path workingDirectory, Path stderr, String... args) throws IOException {
    this(workingDirectory, stderr, java.util.Map.of(), args);
  }

  /** As above, with {@code env} added to the process's environment. */
  LspProcess(Path workingDirectory, Path stderr, java.util.Map<String, String> env, String... args)
      throws IOException {
    this(javaCommand(), workingDirectory, stderr, env, args);
  }

  /** As above, run by {@code launch} (a JVM and its flags up to the subcommand). */
  LspProcess(
      List<String> launch,
      Path workingDirectory,
      Path stderr,
      java.util.Map<String, String> env,
      String... args)
      throws IOException {
    List<String> command = new ArrayList<>(launch);
    command.add("lsp");
    command.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(workingDirectory.toFile())
            .redirectError(stderr.toFile());
    pb.environment().putAll(env);
    process = pb.start();
    in = process.getOutputStream();
    inbox = new ClientFrames.Inbox(process.getInputStream(), "lsp-process-reader");
  }

  /** The JVM and flags of {@code bin/cromwell}, on the test class path, up to the subcommand. */
  static List<String> javaCommand() {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("--add-modules=jdk.incubator.vector");
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-Xmx512m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("dev.cromwell.cli.Main");
    return command;
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
    return inbox.answerTo(id, seconds, () -> "process alive: " + process.isAlive());
  }

  /** How many answers to {@code id} the process wrote, once its output has ended. */
  int answersTo(int id, int seconds) throws InterruptedException {
    return inbox.answersTo(id, seconds);
  }

  void send(JsonObject message) throws IOException {
    in.write(ClientFrames.frame(message.toString()).getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  void closeInput() throws IOException {
    in.close();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
