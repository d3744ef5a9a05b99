package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.cromwell.lsp.rpc.FrameLimits;
import dev.cromwell.protocol.PositionEncoding;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cromwell lsp} answers {@code initialize} before the server is built ({@link
 * dev.cromwell.lsp.rpc.EarlyInitialize}). Each session here is run twice over the same bytes: by
 * LSP4J's launcher alone ({@link LspLauncher#serve}) and with the early answer ({@link
 * LspLauncher#serveAnsweringEarly}); what the client receives must be the same.
 */
@Timeout(60)
class EarlyInitializeTest {
  @TempDir Path workspace;

  private static final String EXIT = "{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}";
  private static final String SHUTDOWN = "{\"jsonrpc\":\"2.0\",\"id\":99,\"method\":\"shutdown\"}";
  private static final String INITIALIZED =
      "{\"jsonrpc\":\"2.0\",\"method\":\"initialized\",\"params\":{}}";

  /** What Neovim 0.7's built-in client sends (abridged): no inline completions, no encodings. */
  private String neovim() {
    return initialize(
        1,
        "{\"processId\":4242,\"clientInfo\":{\"name\":\"Neovim\",\"version\":\"0.7.2\"},"
            + "\"rootUri\":\""
            + workspace.toUri()
            + "\",\"rootPath\":\""
            + workspace
            + "\",\"workspaceFolders\":[{\"uri\":\""
            + workspace.toUri()
            + "\",\"name\":\"w\"}],\"trace\":\"off\","
            + "\"initializationOptions\":{\"threads\":1,\"debounceMs\":0},"
            + "\"capabilities\":{\"textDocument\":{\"synchronization\":{\"didSave\":true,"
            + "\"willSave\":false,\"dynamicRegistration\":false},\"completion\":{"
            + "\"completionItem\":{\"snippetSupport\":false,\"documentationFormat\":"
            + "[\"markdown\",\"plaintext\"]},\"completionItemKind\":{\"valueSet\":[1,2,3]},"
            + "\"contextSupport\":false,\"dynamicRegistration\":false},\"codeAction\":{"
            + "\"codeActionLiteralSupport\":{\"codeActionKind\":{\"valueSet\":[\"\",\"quickfix\","
            + "\"refactor\"]}},\"dataSupport\":true,\"resolveSupport\":{\"properties\":"
            + "[\"edit\"]}}},\"window\":{\"workDoneProgress\":true,\"showMessage\":"
            + "{\"messageActionItem\":{\"additionalPropertiesSupport\":false}}},"
            + "\"workspace\":{\"applyEdit\":true,\"workspaceFolders\":true,"
            + "\"configuration\":true}}}");
  }

  /**
   * What VS Code sends (abridged): inline completions, UTF-8 offered, a string id, and a setting
   * the server does not know (it answers with a message besides the result).
   */
  private String vscode() {
    return initialize(
        "\"init-1\"",
        "{\"processId\":null,\"clientInfo\":{\"name\":\"Visual Studio Code\",\"version\":"
            + "\"1.99.0\"},\"locale\":\"en\",\"rootUri\":null,\"workspaceFolders\":null,"
            + "\"initializationOptions\":{\"model\":\"/nonexistent/early.gguf\","
            + "\"noSuchSetting\":1},\"capabilities\":{\"general\":{\"positionEncodings\":"
            + "[\"utf-8\",\"utf-16\"],\"markdown\":{\"parser\":\"marked\",\"version\":"
            + "\"1.1.0\"}},\"textDocument\":{\"inlineCompletion\":{\"dynamicRegistration\":"
            + "true},\"synchronization\":{\"dynamicRegistration\":true,\"didSave\":true},"
            + "\"codeAction\":{\"isPreferredSupport\":true,\"disabledSupport\":true}},"
            + "\"window\":{\"workDoneProgress\":true,\"showDocument\":{\"support\":true}},"
            + "\"workspace\":{\"applyEdit\":true,\"workspaceEdit\":{\"documentChanges\":true,"
            + "\"resourceOperations\":[\"create\",\"rename\",\"delete\"]}}},\"trace\":\"off\"}");
  }

  private static String initialize(Object id, String params) {
    return "{\"jsonrpc\":\"2.0\",\"id\":"
        + id
        + ",\"method\":\"initialize\",\"params\":"
        + params
        + "}";
  }

  @Test
  void neovimGetsTheServersOwnAnswerOnceAndBeforeTheServerIsBuilt() throws Exception {
    Session early = sameAnswers(frames(neovim(), INITIALIZED, SHUTDOWN, EXIT), "1");
    assertTrue(early.answeredBeforeServer, "the answer was written after the server was built");
    JsonObject caps = early.answerTo("1").getAsJsonObject("result").getAsJsonObject("capabilities");
    assertTrue(caps.has("completionProvider"), "Neovim 0.7 needs the completion fallback");
    assertEquals("utf-16", caps.get("positionEncoding").getAsString());
  }

  @Test
  void vscodeGetsTheServersOwnAnswerAndTheServerHandledInitializeToo() throws Exception {
    Session early = sameAnswers(frames(vscode(), INITIALIZED, SHUTDOWN, EXIT), "init-1");
    JsonObject caps =
        early.answerTo("init-1").getAsJsonObject("result").getAsJsonObject("capabilities");
    assertTrue(caps.has("inlineCompletionProvider") && !caps.has("completionProvider"));
    assertEquals("utf-8", caps.get("positionEncoding").getAsString());
    // The server read the same initialize: it agreed on UTF-8 and warned about the setting.
    assertEquals(PositionEncoding.UTF8, early.server.documents().encoding());
    assertTrue(
        early.messages.stream().anyMatch(m -> m.toString().contains("noSuchSetting")),
        "the server did not warn about the unknown setting: " + early.messages);
  }

  /**
   * The early answer is built from the JSON tree, not by LSP4J: for every shape of the two facts it
   * depends on (inline completions shown or not, the encodings offered), and for ids LSP4J reads as
   * they are, it must be the answer LSP4J writes, and LSP4J must still read the request.
   */
  @Test
  void everyClientShapeGetsTheAnswerLsp4jWouldWrite() throws Exception {
    List<String> shapes =
        List.of(
            "{}",
            "{\"capabilities\":{}}",
            "{\"capabilities\":{\"general\":null,\"textDocument\":null}}",
            "{\"capabilities\":{\"general\":{\"positionEncodings\":null}}}",
            "{\"capabilities\":{\"general\":{\"positionEncodings\":[]}}}",
            "{\"capabilities\":{\"general\":{\"positionEncodings\":[\"utf-16\"]}}}",
            "{\"capabilities\":{\"general\":{\"positionEncodings\":[\"utf-32\",\"utf-8\"]}}}",
            "{\"capabilities\":{\"textDocument\":{\"inlineCompletion\":null}}}",
            "{\"capabilities\":{\"textDocument\":{\"inlineCompletion\":{}}}}",
            "{\"processId\":null,\"rootUri\":null,\"workspaceFolders\":[],\"locale\":\"de\","
                + "\"workDoneToken\":\"t\",\"clientInfo\":{\"name\":\"e\\u00e9\\\"\\n\"},"
                + "\"initializationOptions\":{\"threads\":1},\"trace\":\"verbose\"}");
    for (String shape : shapes) {
      for (String id : List.of("0", "-17", "2147483", "\"\"", "\"a\\\"b\\u0001é\"")) {
        String input = frames(initialize(id, shape), SHUTDOWN, EXIT);
        Session plain = Session.run(input.getBytes(StandardCharsets.UTF_8), false);
        Session early = Session.run(input.getBytes(StandardCharsets.UTF_8), true);
        String what = "id " + id + ", params " + shape;
        assertTrue(early.answeredBeforeServer, "not answered early: " + what);
        assertEquals(plain.messages, early.messages, what);
        assertEquals(plain.log, early.log, what);
        assertEquals(0, early.exitCode, what);
      }
    }
  }

  /**
   * Capabilities malformed below what the early answer reads: LSP4J refuses the request it was
   * given, so the client got a yes where LSP4J says no; the server says so in one line rather than
   * answering twice.
   */
  @Test
  void capabilitiesLsp4jCannotReadDeepDownAreLoggedAfterTheEarlyAnswer() throws Exception {
    String input =
        frames(
            initialize(3, "{\"capabilities\":{\"workspace\":{\"applyEdit\":{\"x\":1}}}}"),
            SHUTDOWN,
            EXIT);
    Session early = Session.run(input.getBytes(StandardCharsets.UTF_8), true);
    assertEquals(1, early.answersTo("3").size(), "answers: " + early.messages);
    assertTrue(early.answerTo("3").has("result"));
    assertTrue(
        early.log.stream().anyMatch(l -> l.contains("LSP4J could not read it")),
        "no line about the refused initialize: " + early.log);
  }

  /**
   * A first message that is not a plain {@code initialize} is left to LSP4J: the client sees
   * exactly what it would without the early answer, in the same order, and the server logs the same
   * lines.
   */
  @Test
  void aFirstMessageThatIsNotAPlainInitializeIsLeftToTheLauncher() throws Exception {
    String init = initialize(1, "{\"capabilities\":{}}");
    List<String> firsts =
        List.of(
            "garbage\r\n" + frame(init), // a bad header before the message
            "Content-Length: 12\r\n\r\n{\"id\":5,\"me", // bad JSON with an id
            "Content-Length: x\r\n\r\n" + init, // a length that is not one
            "Content-Length: " + init.length() + "\n\n" + init, // bare line feeds
            frame("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"cromwell/status\"}"),
            frame("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"shutdown\"}"),
            frame(initialize(1, "{\"capabilities\":\"none\"}")), // params LSP4J cannot read
            frame(initialize(1, "{\"capabilities\":{\"general\":{\"positionEncodings\":\"x\"}}}")),
            frame(initialize(1, "{\"capabilities\":{\"textDocument\":{\"inlineCompletion\":1}}}")),
            frame(initialize(1, "{\"processId\":\"abc\"}")),
            frame(initialize(1, "{\"processId\":1.5}")),
            frame(initialize(1, "{\"workspaceFolders\":{}}")),
            frame(initialize(1, "{\"clientInfo\":\"vim\"}")),
            frame(initialize(1, "{\"clientInfo\":{\"name\":[]}}")),
            frame(initialize(1, "null")), // no params object
            frame(initialize(1, "{\"capabilities\":null}")), // LSP4J's setter refuses null
            frame(initialize("1.5", "{}")), // an id LSP4J does not read as it is
            frame(initialize("12345678901", "{}")),
            frame(initialize("null", "{}")),
            frame(initialize("{}", "{}")),
            frame(initialize(1, "{}").replace("{\"jsonrpc", "{\"result\":1,\"jsonrpc")),
            frame(initialize(1, "{}").replace("\"2.0\"", "2")), // jsonrpc not a string
            frame(initialize(1, "{'capabilities':{}}")), // not strict JSON
            frame(initialize(1, "{/* c */}")),
            frame(initialize(1, "{\"capabilities\":{}}") + "{}"), // bytes after the message
            frame("{\"jsonrpc\":\"2.0\",\"method\":\"initialize\",\"params\":{}}"), // no id
            "");
    for (String first : firsts) {
      byte[] input = (first + frames(init, SHUTDOWN, EXIT)).getBytes(StandardCharsets.UTF_8);
      Session plain = Session.run(input, false);
      Session early = Session.run(input, true);
      assertEquals(plain.messages, early.messages, "first message: " + first);
      assertEquals(plain.log, early.log, "first message: " + first);
      assertEquals(plain.exitCode, early.exitCode, "first message: " + first);
    }
  }

  @Test
  void aClientThatSendsNothingEndsTheServerAsBefore() throws Exception {
    assertEquals(Session.run(new byte[0], false).exitCode, Session.run(new byte[0], true).exitCode);
  }

  /**
   * Runs {@code input} both ways and checks that every request got the same answers, and the
   * early-answered {@code initialize} exactly one. Returns the early session.
   */
  private static Session sameAnswers(String input, String initializeId) throws Exception {
    byte[] bytes = input.getBytes(StandardCharsets.UTF_8);
    Session plain = Session.run(bytes, false);
    Session early = Session.run(bytes, true);
    assertEquals(1, early.answersTo(initializeId).size(), "answers: " + early.messages);
    assertEquals(plain.answersTo(initializeId), early.answersTo(initializeId));
    assertEquals(plain.answersTo("99"), early.answersTo("99"));
    assertEquals(0, early.exitCode);
    return early;
  }

  private static String frame(String json) {
    return ClientFrames.frame(json);
  }

  private static String frames(String... jsons) {
    StringBuilder b = new StringBuilder();
    for (String json : jsons) {
      b.append(frame(json));
    }
    return b.toString();
  }

  /** One whole session over byte streams: every message the client received, in order. */
  private static final class Session {
    final List<JsonObject> messages = new ArrayList<>();
    final List<String> log = new CopyOnWriteArrayList<>();
    int exitCode;
    boolean answeredBeforeServer;
    CromwellLanguageServer server;

    static Session run(byte[] input, boolean early) throws IOException {
      Session s = new Session();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      AtomicReference<CromwellLanguageServer> built = new AtomicReference<>();
      if (early) {
        s.exitCode =
            LspLauncher.serveAnsweringEarly(
                () -> {
                  s.answeredBeforeServer = out.size() > 0;
                  built.set(newServer());
                  return built.get();
                },
                new ByteArrayInputStream(input),
                out,
                FrameLimits.defaults(),
                s.log::add);
      } else {
        built.set(newServer());
        s.exitCode =
            LspLauncher.serve(
                built.get(),
                new ByteArrayInputStream(input),
                out,
                FrameLimits.defaults(),
                s.log::add);
      }
      s.server = built.get();
      ByteArrayInputStream received = new ByteArrayInputStream(out.toByteArray());
      JsonObject message;
      while ((message = ClientFrames.read(received)) != null) {
        s.messages.add(message);
      }
      return s;
    }

    private static CromwellLanguageServer newServer() {
      return new CromwellLanguageServer(LspServerTest.config(0), c -> new StubCompleter("x"));
    }

    List<JsonObject> answersTo(String id) {
      return messages.stream()
          .filter(m -> !m.has("method") && m.has("id") && idIs(m.get("id"), id))
          .toList();
    }

    JsonObject answerTo(String id) {
      return answersTo(id).getFirst();
    }

    private static boolean idIs(JsonElement element, String id) {
      return !element.isJsonNull() && element.getAsString().equals(id);
    }
  }
}
