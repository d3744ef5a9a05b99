package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.cromwell.daemon.DaemonPaths;
import dev.cromwell.engine.RealModels;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warm daemon as editors meet it: real processes ({@code cromwell lsp} proxies and a {@code
 * cromwell lsp --daemon}), a real Unix socket and the real SmolLM2. The second session must get the
 * first one's loaded model from the daemon's cache (no load, and the same greedy completion); a
 * daemon that dies ends its sessions' proxies with one line; a dead daemon's socket is replaced; an
 * idle daemon exits and removes its socket. Every daemon started here is killed at the end.
 */
@Timeout(300)
class LspDaemonTest {
  @TempDir Path project;
  @TempDir Path runDir;
  private final List<Process> daemons = new java.util.ArrayList<>();
  private final Map<LspProcess, Integer> initializeIds = new java.util.HashMap<>();

  @AfterEach
  void killDaemons() throws InterruptedException {
    for (Process p : daemons) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private Map<String, String> env() {
    // connect: a proxy never starts a daemon itself here (the test starts and kills them).
    return Map.of("CROMWELL_DAEMON", "connect", "CROMWELL_RUN_DIR", runDir.toString());
  }

  private Path socket() {
    return DaemonPaths.of(env()).socket();
  }

  private Process startDaemon(int idleSeconds) throws Exception {
    List<String> command = LspProcess.javaCommand();
    command.addAll(List.of("lsp", "--daemon", "--idle-timeout-s", String.valueOf(idleSeconds)));
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(project.toFile())
            .redirectErrorStream(true)
            .redirectOutput(project.resolve("daemon-" + daemons.size() + ".log").toFile());
    pb.environment().putAll(env());
    Process p = pb.start();
    daemons.add(p);
    // Listening once the socket accepts a connection (a stale file alone is not enough).
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      assertTrue(p.isAlive(), "the daemon exited: " + daemonLog(daemons.size() - 1));
      if (accepts(socket())) {
        return p;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the daemon never listened: " + daemonLog(daemons.size() - 1));
  }

  private String daemonLog(int i) throws IOException {
    return Files.readString(project.resolve("daemon-" + i + ".log"));
  }

  private static boolean accepts(Path socket) {
    try (var ch = java.nio.channels.SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A proxy session, initialized with SmolLM2, as an editor starts it. */
  private LspProcess session(String name) throws Exception {
    return session(name, env());
  }

  private LspProcess session(String name, Map<String, String> env) throws Exception {
    return session(name, LspProcess.javaCommand(), env, RealModels.smollm2().toString(), project);
  }

  /** A session run by {@code launch} in {@code folder}, its model setting {@code model}. */
  private LspProcess session(
      String name, List<String> launch, Map<String, String> env, String model, Path folder)
      throws Exception {
    LspProcess lsp = new LspProcess(launch, folder, project.resolve(name + ".err"), env);
    JsonObject init =
        JsonParser.parseString(
                "{\"processId\":null,\"capabilities\":{},\"rootUri\":null,"
                    + "\"initializationOptions\":{\"threads\":1,\"debounceMs\":0,"
                    + "\"maxTokens\":12}}")
            .getAsJsonObject();
    init.getAsJsonObject("initializationOptions").addProperty("model", model);
    int initialize = lsp.request("initialize", init);
    JsonObject answer = lsp.answer(initialize, 60);
    assertTrue(answer.has("result"), answer.toString());
    initializeIds.put(lsp, initialize);
    lsp.notify("initialized", new JsonObject());
    return lsp;
  }

  private static JsonObject awaitReady(LspProcess lsp) throws Exception {
    long deadline = System.currentTimeMillis() + 120_000;
    while (System.currentTimeMillis() < deadline) {
      JsonObject status =
          lsp.answer(lsp.request("cromwell/status", new JsonArray()), 30).getAsJsonObject("result");
      String state = status.get("modelState").getAsString();
      if (state.equals("ready")) {
        return status;
      }
      assertFalse(state.startsWith("failed"), state);
      Thread.sleep(20);
    }
    throw new AssertionError("the model never became ready");
  }

  private String complete(LspProcess lsp) throws Exception {
    Path source = project.resolve("add.py");
    String text = "def add(a, b):\n    return ";
    Files.writeString(source, text);
    String uri = source.toUri().toString();
    lsp.notify(
        "textDocument/didOpen",
        JsonParser.parseString(
            "{\"textDocument\":{\"uri\":\""
                + uri
                + "\",\"languageId\":\"python\",\"version\":1,\"text\":"
                + new com.google.gson.Gson().toJson(text)
                + "}}"));
    JsonObject answer =
        lsp.answer(
            lsp.request(
                "textDocument/inlineCompletion",
                JsonParser.parseString(
                    "{\"textDocument\":{\"uri\":\""
                        + uri
                        + "\"},\"position\":{\"line\":1,\"character\":11},"
                        + "\"context\":{\"triggerKind\":1}}")),
            120);
    var items = answer.getAsJsonObject("result").getAsJsonArray("items");
    assertFalse(items.isEmpty(), answer.toString());
    return items.get(0).getAsJsonObject().get("insertText").getAsString();
  }

  private int end(LspProcess lsp) throws Exception {
    lsp.answer(lsp.request("shutdown", null), 30);
    lsp.notify("exit", null);
    lsp.closeInput();
    assertTrue(lsp.process.waitFor(30, TimeUnit.SECONDS), "the proxy did not exit");
    // The proxy answers initialize itself and the daemon's answer is left out: exactly one.
    assertEquals(1, lsp.answersTo(initializeIds.get(lsp), 30), "answers to initialize");
    return lsp.process.exitValue();
  }

  @Test
  void theSecondSessionGetsTheFirstOnesWarmModelAndADeadDaemonEndsItsSessions() throws Exception {
    startDaemon(600);
    String first;
    long firstLoad;
    try (LspProcess lsp = session("first")) {
      JsonObject status = awaitReady(lsp);
      assertEquals("file", status.get("modelSource").getAsString(), status.toString());
      firstLoad = status.get("modelLoadMs").getAsLong();
      first = complete(lsp);
      assertEquals(0, end(lsp), Files.readString(project.resolve("first.err")));
    }
    try (LspProcess lsp = session("second")) {
      JsonObject status = awaitReady(lsp);
      assertEquals("cache", status.get("modelSource").getAsString(), status.toString());
      long load = status.get("modelLoadMs").getAsLong();
      assertTrue(load < firstLoad, "from the cache in " + load + " ms, loaded in " + firstLoad);
      assertEquals(first, complete(lsp), "the cached model completes as the loaded one did");
      assertEquals(0, end(lsp), Files.readString(project.resolve("second.err")));
    }
    // A daemon killed mid-session: the editor sees its server exit with one line, never a hang.
    try (LspProcess lsp = session("third")) {
      awaitReady(lsp);
      daemons.get(0).destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      assertTrue(lsp.process.waitFor(30, TimeUnit.SECONDS), "the proxy outlived its daemon");
      assertEquals(1, lsp.process.exitValue());
      assertTrue(
          Files.readString(project.resolve("third.err"))
              .contains("the Cromwell daemon ended the session unexpectedly"),
          Files.readString(project.resolve("third.err")));
    }
    assertTrue(Files.exists(socket()), "a killed daemon leaves its socket file behind");
    assertFalse(accepts(socket()));
  }

  /**
   * {@code java -jar cromwell.jar lsp} with no launcher, as the VS Code extension runs it: the
   * proxy starts the daemon itself with its own JVM, flags and jar, and the second session gets the
   * first one's model from it. The model setting is relative ({@code models/smol.gguf} in the
   * editor's folder): the daemon, which runs in the run folder, must still find it.
   */
  @Test
  void aPlainJavaJarSessionStartsTheDaemonAndARelativeModelMeansTheEditorsFolder()
      throws Exception {
    Path jar = classPathJar();
    Path models = Files.createDirectories(project.resolve("models"));
    Files.createSymbolicLink(models.resolve("smol.gguf"), RealModels.smollm2());
    List<String> launch =
        new java.util.ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "--add-modules=jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED",
                "-Xmx512m",
                "-jar",
                jar.toString()));
    Map<String, String> env = new java.util.HashMap<>(env());
    env.put("CROMWELL_DAEMON", "auto");
    env.put("CROMWELL_LAUNCHER", ""); // blank: none, whatever the test's environment says
    // Long enough for the first daemon to serve the third session, were flags not in its name.
    env.put("CROMWELL_DAEMON_IDLE_S", "30");
    env.put("CROMWELL_DAEMON_WAIT_MS", "60000");
    try {
      long firstLoad;
      try (LspProcess lsp = session("jar-first", launch, env, "models/smol.gguf", project)) {
        JsonObject status = awaitReady(lsp);
        assertEquals("file", status.get("modelSource").getAsString(), status.toString());
        firstLoad = status.get("modelLoadMs").getAsLong();
        assertEquals(0, end(lsp), Files.readString(project.resolve("jar-first.err")));
      }
      assertFalse(
          daemonsOf(jar).isEmpty(),
          "the proxy started no daemon: " + Files.readString(project.resolve("jar-first.err")));
      String started = daemonsOf(jar).get(0).info().commandLine().orElse("");
      assertTrue(
          started.contains("--add-modules=jdk.incubator.vector")
              && started.contains("-jar " + jar)
              && started.contains("lsp --daemon"),
          started);
      try (LspProcess lsp = session("jar-second", launch, env, "models/smol.gguf", project)) {
        JsonObject status = awaitReady(lsp);
        assertEquals("cache", status.get("modelSource").getAsString(), status.toString());
        assertTrue(status.get("modelLoadMs").getAsLong() < firstLoad, status.toString());
        assertEquals(0, end(lsp), Files.readString(project.resolve("jar-second.err")));
      }
      // Other flags (an editor's jvmOptions): a daemon of their own, never the first one.
      List<String> otherFlags = new java.util.ArrayList<>(launch);
      otherFlags.set(otherFlags.indexOf("-Xmx512m"), "-Xmx600m");
      try (LspProcess lsp = session("jar-third", otherFlags, env, "models/smol.gguf", project)) {
        JsonObject status = awaitReady(lsp);
        assertEquals("file", status.get("modelSource").getAsString(), status.toString());
        assertEquals(0, end(lsp), Files.readString(project.resolve("jar-third.err")));
      }
      List<String> started2 =
          daemonsOf(jar).stream().map(d -> d.info().commandLine().orElse("")).toList();
      assertTrue(
          started2.size() == 2
              && started2.stream().anyMatch(c -> c.contains("-Xmx512m"))
              && started2.stream().anyMatch(c -> c.contains("-Xmx600m")),
          started2.toString());
    } finally {
      for (ProcessHandle daemon : daemonsOf(jar)) {
        daemon.destroyForcibly();
        daemon.onExit().get(30, TimeUnit.SECONDS);
      }
    }
  }

  /** The daemons running this test's jar (started by a proxy, so not children of this JVM). */
  private static List<ProcessHandle> daemonsOf(Path jar) {
    return ProcessHandle.allProcesses()
        .filter(
            p -> {
              String line = p.info().commandLine().orElse("");
              return line.contains(jar.toString()) && line.contains("--daemon");
            })
        .toList();
  }

  /**
   * A cromwell.jar for {@code java -jar}: the server's classes inside (so that it is the jar they
   * are loaded from), the rest of the test class path named by its manifest.
   */
  private Path classPathJar() throws IOException, java.net.URISyntaxException {
    Path jar = project.resolve("cromwell.jar");
    String classes =
        Path.of(
                dev.cromwell.cli.Main.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI())
            .toString();
    StringBuilder classPath = new StringBuilder();
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      if (!entry.equals(classes) && !Path.of(entry).equals(Path.of(classes))) {
        classPath.append(Path.of(entry).toUri()).append(' ');
      }
    }
    var manifest = new java.util.jar.Manifest();
    var main = manifest.getMainAttributes();
    main.put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
    main.put(java.util.jar.Attributes.Name.MAIN_CLASS, "dev.cromwell.cli.Main");
    main.put(java.util.jar.Attributes.Name.CLASS_PATH, classPath.toString().trim());
    Path root = Path.of(classes);
    try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar), manifest);
        var files = Files.walk(root)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        out.putNextEntry(
            new java.util.jar.JarEntry(root.relativize(f).toString().replace('\\', '/')));
        Files.copy(f, out);
        out.closeEntry();
      }
    }
    return jar;
  }

  @Test
  void aStaleSocketIsReplacedAndAnIdleDaemonExitsAndRemovesItsSocket() throws Exception {
    Files.createDirectories(runDir);
    try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      dead.bind(UnixDomainSocketAddress.of(socket())); // closing it leaves the file: stale
    }
    assertTrue(Files.exists(socket()));
    Process daemon = startDaemon(2);
    try (LspProcess lsp = session("stale")) {
      assertEquals(0, end(lsp), Files.readString(project.resolve("stale.err")));
    }
    assertTrue(daemon.waitFor(60, TimeUnit.SECONDS), "the idle daemon did not exit");
    assertEquals(0, daemon.exitValue(), daemonLog(0));
    assertFalse(Files.exists(socket()), "the idle daemon left its socket");
  }

  @Test
  void aRunFolderOpenToOthersIsRefusedAndTheSessionIsServedInProcess() throws Exception {
    Files.setPosixFilePermissions(
        runDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    try (LspProcess lsp = session("open")) {
      assertEquals(0, end(lsp));
    }
    String err = Files.readString(project.resolve("open.err"));
    assertTrue(err.contains("is open to other users") && err.contains("chmod 700 " + runDir), err);
  }

  @Test
  void aDaemonThatFailsToStartLeavesTheSessionInProcessWithoutWaiting() throws Exception {
    Path launcher = project.resolve("broken-launcher");
    Files.writeString(launcher, "#!/bin/sh\necho 'broken on purpose' >&2\nexit 3\n");
    assertTrue(launcher.toFile().setExecutable(true));
    Map<String, String> env = new java.util.HashMap<>(env());
    env.put("CROMWELL_DAEMON", "auto");
    env.put("CROMWELL_LAUNCHER", launcher.toString());
    try (LspProcess lsp = session("broken", env)) {
      assertEquals(0, end(lsp));
    }
    String err = Files.readString(project.resolve("broken.err"));
    assertTrue(err.contains("the daemon failed to start"), err);
    assertTrue(Files.readString(DaemonPaths.of(env).log()).contains("broken on purpose"));
  }

  @Test
  void initializeIsAnsweredWhileTheDaemonIsStillStarting() throws Exception {
    // A launcher that fails only once the test opens its gate (or after 60 s): the proxy waits for
    // it (then serves in-process), but the editor's initialize must not wait with it.
    Path gate = project.resolve("slow-launcher.gate");
    Path launcher = project.resolve("slow-launcher");
    Files.writeString(
        launcher,
        "#!/bin/sh\ni=0\nwhile [ ! -e '"
            + gate
            + "' ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done\nexit 3\n");
    assertTrue(launcher.toFile().setExecutable(true));
    Map<String, String> env = new java.util.HashMap<>(env());
    env.put("CROMWELL_DAEMON", "auto");
    env.put("CROMWELL_LAUNCHER", launcher.toString());
    env.put("CROMWELL_DAEMON_WAIT_MS", "30000");
    long start = System.nanoTime();
    try (LspProcess lsp = session("slow", env)) {
      long answeredMs = (System.nanoTime() - start) / 1_000_000;
      assertTrue(answeredMs < 15_000, "initialize answered after " + answeredMs + " ms");
      Files.writeString(gate, ""); // the launcher may fail now: answered while it still ran
      assertEquals(0, end(lsp));
    }
    String err = Files.readString(project.resolve("slow.err"));
    assertTrue(err.contains("the daemon failed to start"), err);
  }
}
