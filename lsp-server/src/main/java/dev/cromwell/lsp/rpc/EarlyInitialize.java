package dev.cromwell.lsp.rpc;

import com.google.gson.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Answers the client's {@code initialize} before the server and LSP4J's launcher are built: an
 * editor waits for that answer, and building them (the model catalogue, reflection over the service
 * interfaces, proxies, Gson's adapters) was most of the time to it. The first message is read here
 * as a JSON tree and, when it is a plain {@code initialize} ({@link PlainInitialize}), answered
 * with the server's own result ({@code result} is the one place that decides it), written without
 * LSP4J's reflective Gson. The launcher then reads the same bytes again, so the server handles that
 * {@code initialize} exactly as before (settings, workspace folders, client capabilities), and its
 * own answer to it is left out of the output. Anything else (garbage, another first request) is not
 * touched: the launcher reads it as it would have.
 */
public final class EarlyInitialize {
  private EarlyInitialize() {}

  /** What the launcher reads from and writes to after this. */
  public record Streams(InputStream in, OutputStream out) {}

  /**
   * Reads the first message of {@code in} and answers it on {@code out} when it is a plain {@code
   * initialize} ({@link PlainInitialize}), with {@code result} of its params. Never fails: a stream
   * that cannot be read is handed on as it is.
   */
  public static Streams answer(
      InputStream in,
      OutputStream out,
      FrameLimits limits,
      Function<JsonObject, JsonObject> result,
      Consumer<String> log) {
    OpeningFrame first;
    try {
      first = OpeningFrame.read(in, limits);
    } catch (IOException e) {
      return new Streams(in, out); // the launcher meets the same failure and reports it
    }
    InputStream replay = new SequenceInputStream(new ByteArrayInputStream(first.consumed()), in);
    PlainInitialize request = first.body() == null ? null : PlainInitialize.of(first.body());
    JsonObject answer = request == null ? null : response(request, result);
    if (answer == null) {
      return new Streams(replay, out);
    }
    try {
      byte[] body = JsonText.of(answer).getBytes(StandardCharsets.UTF_8);
      // LSP4J's own framing (StreamMessageConsumer): the length alone, for UTF-8. A builder, not
      // "+": string concatenation is an invokedynamic whose first use spins classes at start-up.
      String header =
          new StringBuilder("Content-Length: ").append(body.length).append("\r\n\r\n").toString();
      out.write(header.getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
    } catch (IOException e) {
      log.accept("cromwell lsp: could not answer initialize: " + e.getMessage());
    }
    return new Streams(replay, new DropResponse(out, request.id(), log));
  }

  /** The response LSP4J would write, or null when the server would fail (the launcher answers). */
  private static JsonObject response(
      PlainInitialize request, Function<JsonObject, JsonObject> result) {
    JsonObject value;
    try {
      value = result.apply(request.params());
    } catch (RuntimeException e) {
      return null;
    }
    JsonObject response = new JsonObject();
    response.addProperty("jsonrpc", "2.0");
    response.add("id", request.id());
    response.add("result", value);
    return response;
  }
}
