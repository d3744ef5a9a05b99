package dev.cromwell.lsp.rpc;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.InitializeResult;
import org.eclipse.lsp4j.jsonrpc.json.JsonRpcMethod;
import org.eclipse.lsp4j.jsonrpc.json.MessageConstants;
import org.eclipse.lsp4j.jsonrpc.json.MessageJsonHandler;
import org.eclipse.lsp4j.jsonrpc.json.StreamMessageConsumer;
import org.eclipse.lsp4j.jsonrpc.messages.Message;
import org.eclipse.lsp4j.jsonrpc.messages.RequestMessage;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseMessage;

/**
 * Answers the client's {@code initialize} before the server and LSP4J's launcher are built: an
 * editor waits for that answer, and building them (the model catalogue, reflection over the service
 * interfaces, proxies, Gson's adapters) was most of the time to it. The first message is read here
 * and, when it is a well-formed {@code initialize}, answered with the server's own result ({@code
 * result} is the one place that decides it). The launcher then reads the same bytes again, so the
 * server handles that {@code initialize} exactly as before (settings, workspace folders, client
 * capabilities), and its own answer to it is left out of the output. Anything else (garbage,
 * another first request) is not touched: the launcher reads it as it would have.
 */
public final class EarlyInitialize {
  private EarlyInitialize() {}

  /** What the launcher reads from and writes to after this. */
  public record Streams(InputStream in, OutputStream out) {}

  /**
   * Reads the first message of {@code in} and answers it on {@code out} when it is {@code
   * initialize}. Never fails: a stream that cannot be read is handed on as it is.
   */
  public static Streams answer(
      InputStream in,
      OutputStream out,
      FrameLimits limits,
      Function<InitializeParams, InitializeResult> result,
      Consumer<String> log) {
    OpeningFrame first;
    try {
      first = OpeningFrame.read(in, limits);
    } catch (IOException e) {
      return new Streams(in, out); // the launcher meets the same failure and reports it
    }
    InputStream replay = new SequenceInputStream(new ByteArrayInputStream(first.consumed()), in);
    ResponseMessage answer = first.body() == null ? null : answerTo(first.body(), result);
    if (answer == null) {
      return new Streams(replay, out);
    }
    JsonElement id = JsonParser.parseString(new String(first.body(), StandardCharsets.UTF_8));
    try {
      new StreamMessageConsumer(out, HANDLER).consume(answer);
    } catch (RuntimeException e) {
      log.accept("cromwell lsp: could not answer initialize: " + e.getMessage());
    }
    return new Streams(replay, new DropResponse(out, id.getAsJsonObject().get("id")));
  }

  /** LSP4J's JSON for the one method read here: parsing and writing are LSP4J's own. */
  private static final MessageJsonHandler HANDLER =
      new MessageJsonHandler(
          Map.of(
              "initialize",
              JsonRpcMethod.request("initialize", InitializeResult.class, InitializeParams.class)));

  /**
   * The response to {@code body} when it is an {@code initialize} request that LSP4J would read as
   * one and the server would answer with a result; null otherwise.
   */
  private static ResponseMessage answerTo(
      byte[] body, Function<InitializeParams, InitializeResult> result) {
    String text = new String(body, StandardCharsets.UTF_8);
    if (FramedMessageProducer.hasTrailingBytes(text)) {
      return null; // the launcher reads two messages here
    }
    try {
      Message message = HANDLER.parseMessage(text);
      if (!(message instanceof RequestMessage request)
          || !"initialize".equals(request.getMethod())
          || request.getRawId() == null
          || !(request.getParams() instanceof InitializeParams params)) {
        return null;
      }
      ResponseMessage response = new ResponseMessage();
      response.setJsonrpc(MessageConstants.JSONRPC_VERSION);
      response.setRawId(request.getRawId());
      response.setResult(result.apply(params));
      return response;
    } catch (RuntimeException e) {
      return null; // not JSON-RPC, bad params, or the server would fail: the launcher answers
    }
  }
}
