package dev.cromwell.http;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One request and its response: the body read up to a limit and parsed as JSON, and the three ways
 * to answer — a JSON body, an error, or a stream that is started once and written piece by piece.
 */
final class ApiExchange {
  private static final Gson GSON =
      new GsonBuilder().serializeNulls().disableHtmlEscaping().create();

  private final HttpExchange exchange;
  private final long maxBodyBytes;
  private int status;
  private OutputStream stream;

  ApiExchange(HttpExchange exchange, long maxBodyBytes) {
    this.exchange = exchange;
    this.maxBodyBytes = maxBodyBytes;
  }

  String method() {
    return exchange.getRequestMethod();
  }

  String path() {
    return exchange.getRequestURI().getPath();
  }

  String header(String name) {
    return exchange.getRequestHeaders().getFirst(name);
  }

  /** The status sent, 0 before the response started. */
  int status() {
    return status;
  }

  boolean started() {
    return status != 0;
  }

  /** The body as a JSON object; 413 past the size limit, 400 if it is not a JSON object. */
  JsonObject jsonBody() throws IOException {
    String length = header("Content-Length");
    if (length != null) {
      try {
        long declared = Long.parseLong(length.trim());
        if (declared > maxBodyBytes) {
          // Read and dropped when it is not too large to (the JDK has already answered an
          // "Expect: 100-continue" itself, so such a client is sending its body too).
          if (declared <= DRAIN_BYTES) {
            drain(exchange.getRequestBody());
          }
          throw tooLarge();
        }
      } catch (NumberFormatException e) {
        throw ApiError.invalid(null, "Content-Length is not a number");
      }
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    try (InputStream in = exchange.getRequestBody()) {
      byte[] buffer = new byte[8192];
      for (int n; (n = in.read(buffer)) > 0; ) {
        if (body.size() + n > maxBodyBytes) {
          drain(in);
          throw tooLarge();
        }
        body.write(buffer, 0, n);
      }
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(body.toByteArray()))
              .toString();
    } catch (CharacterCodingException e) {
      throw ApiError.invalid(
          null, "the request body is not valid UTF-8: send JSON encoded as UTF-8");
    }
    try {
      JsonElement json = STRICT.fromJson(text, JsonElement.class);
      if (json == null || !json.isJsonObject()) {
        throw ApiError.invalid(null, "the request body must be a JSON object");
      }
      return json.getAsJsonObject();
    } catch (JsonParseException e) {
      throw ApiError.invalid(
          null,
          "the request body is not valid JSON"
              + where(rootMessage(e))
              + ": send one JSON object (strict JSON: double-quoted names and strings, no"
              + " comments, nothing after it)");
    }
  }

  /**
   * Strict JSON, as OpenAI's API takes it: a body that lenient parsing would read (single quotes,
   * bare names, comments, text after the object) is refused rather than guessed at.
   */
  private static final Gson STRICT = new GsonBuilder().setStrictness(Strictness.STRICT).create();

  private static final Pattern PARSER_PLACE = Pattern.compile("at line (\\d+) column (\\d+)");

  /** " at line L column C" from a parser's message, or nothing (its advice is for developers). */
  private static String where(String parserMessage) {
    Matcher m = PARSER_PLACE.matcher(parserMessage);
    return m.find() ? " (at line " + m.group(1) + ", column " + m.group(2) + ")" : "";
  }

  /**
   * How much of an oversized body is read and dropped before the 413 goes out. Clients that send
   * the whole body before they read the answer (Python's http.client and urllib) otherwise see the
   * connection reset under their unsent bytes instead of the 413; past this the connection is
   * closed.
   */
  private static final long DRAIN_BYTES = 32L << 20;

  private static void drain(InputStream in) {
    try {
      byte[] buffer = new byte[65536];
      long left = DRAIN_BYTES;
      for (int n; left > 0 && (n = in.read(buffer)) > 0; ) {
        left -= n;
      }
    } catch (IOException e) {
      // the client went away: nothing to answer
    }
  }

  private ApiError tooLarge() {
    return new ApiError(
        413,
        "invalid_request_error",
        "request_too_large",
        null,
        "the request body is larger than " + maxBodyBytes + " bytes (cromwell serve --max-body)",
        0);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  void sendJson(int code, JsonElement json) throws IOException {
    send(code, "application/json", GSON.toJson(json).getBytes(StandardCharsets.UTF_8));
  }

  void sendText(int code, String contentType, String text) throws IOException {
    send(code, contentType, text.getBytes(StandardCharsets.UTF_8));
  }

  void sendError(ApiError e) throws IOException {
    if (e.retryAfterSeconds() > 0) {
      exchange.getResponseHeaders().set("Retry-After", Integer.toString(e.retryAfterSeconds()));
    }
    sendJson(e.status(), e.body());
  }

  private void send(int code, String contentType, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    status = code;
    if (method().equals("HEAD")) {
      // The headers a GET would get, without the body (nor a length the server would warn about).
      exchange.sendResponseHeaders(code, -1);
      exchange.getResponseBody().close();
      return;
    }
    exchange.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** Starts a chunked 200 response; later writes go out as they are flushed. */
  void startStream(String contentType) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.getResponseHeaders().set("Cache-Control", "no-cache");
    status = 200;
    exchange.sendResponseHeaders(200, 0);
    stream = exchange.getResponseBody();
  }

  /** Writes and flushes; an IOException means the client has gone. */
  void write(String text) throws IOException {
    stream.write(text.getBytes(StandardCharsets.UTF_8));
    stream.flush();
  }

  /**
   * Writes {@code filler} (text the client ignores) twice, flushing each time, and fails if the
   * client has gone. The JDK server gives no access to the socket, so a hang-up shows only as a
   * failed write, and the first write after the peer closed still succeeds: it only draws the
   * peer's reset. Over loopback that reset is back before the write returns, so the second write
   * fails: a client that hung up before this token is noticed at this token rather than the next.
   * Over a network the reset takes a round trip, and the hang-up is noticed at the next token.
   */
  void probe(String filler) throws IOException {
    write(filler);
    write(filler);
  }

  static String json(JsonElement json) {
    return GSON.toJson(json);
  }

  void close() {
    exchange.close();
  }
}
