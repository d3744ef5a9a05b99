package dev.cromwell.lsp.rpc;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.eclipse.lsp4j.jsonrpc.JsonRpcException;
import org.eclipse.lsp4j.jsonrpc.MessageConsumer;
import org.eclipse.lsp4j.jsonrpc.MessageIssueException;
import org.eclipse.lsp4j.jsonrpc.MessageIssueHandler;
import org.eclipse.lsp4j.jsonrpc.MessageProducer;
import org.eclipse.lsp4j.jsonrpc.json.MessageJsonHandler;
import org.eclipse.lsp4j.jsonrpc.messages.Either;
import org.eclipse.lsp4j.jsonrpc.messages.Message;
import org.eclipse.lsp4j.jsonrpc.messages.MessageIssue;
import org.eclipse.lsp4j.jsonrpc.messages.RequestMessage;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode;

/**
 * Reads JSON-RPC messages through a {@link FrameReader} instead of LSP4J's {@code
 * StreamMessageProducer}, which reads the rest of a mis-sized or unparsable message as the next
 * header and so loses every later message. A bad frame costs only itself: it is logged in one
 * truncated line, and where a request id can be recovered the sender gets an error (-32700 for a
 * body that is not JSON-RPC, -32600 for one over the size limit).
 */
public final class FramedMessageProducer implements MessageProducer {
  private final FrameReader frames;
  private final MessageJsonHandler json;
  private final MessageIssueHandler issues;
  private final Consumer<String> log;
  private final long messageLimit;

  public FramedMessageProducer(
      java.io.InputStream in,
      MessageJsonHandler json,
      MessageIssueHandler issues,
      FrameLimits limits,
      Consumer<String> log) {
    this.frames = new FrameReader(in, limits, log);
    this.json = json;
    this.issues = issues;
    this.log = log;
    this.messageLimit = limits.messageBytes();
  }

  @Override
  public void listen(MessageConsumer consumer) throws JsonRpcException {
    try {
      FrameReader.Frame frame;
      while ((frame = frames.next()) != null) {
        switch (frame) {
          case FrameReader.Body body -> deliver(body, consumer);
          case FrameReader.Oversized over ->
              answer(
                  RequestId.find(over.head()),
                  ResponseErrorCode.InvalidRequest.getValue(),
                  "the message of "
                      + over.length()
                      + " bytes is over the server's limit of "
                      + messageLimit
                      + " bytes");
        }
      }
    } catch (IOException e) {
      // Some closes (a pipe closed under a blocked read) carry no message: name the exception then.
      String why =
          e.getMessage() != null && !e.getMessage().isBlank()
              ? e.getMessage()
              : e.getClass().getSimpleName();
      log.accept("cromwell lsp: stopped reading: " + why);
    }
  }

  private void deliver(FrameReader.Body frame, MessageConsumer consumer) {
    byte[] body = frame.bytes();
    String text = new String(body, StandardCharsets.UTF_8);
    if (hasTrailingBytes(text)) {
      // A Content-Length too large: the message is whole and the rest of the body belongs to the
      // next message, whose header is in it.
      log.accept("bad frame: bytes after the message: \"" + Excerpt.of(text) + "\"");
      frames.resumeInside(frame);
    }
    Message message;
    try {
      message = json.parseMessage(text);
    } catch (MessageIssueException e) {
      issues.handle(e.getRpcMessage(), e.getIssues()); // LSP4J answers a request with its issue
      return;
    } catch (RuntimeException e) {
      log.accept(
          "bad frame: "
              + Excerpt.of(e.getMessage())
              + " in \""
              + Excerpt.of(new String(body, StandardCharsets.UTF_8))
              + "\"");
      // A message shorter than announced swallowed the start of the next one: resume there
      // (unless the trailing bytes above were already put back: the reader resumes a body once).
      frames.resumeInside(frame);
      answer(
          RequestId.find(body),
          ResponseErrorCode.ParseError.getValue(),
          "the message is not valid JSON-RPC");
      return;
    }
    try {
      consumer.consume(message);
    } catch (MessageIssueException e) {
      issues.handle(e.getRpcMessage(), e.getIssues());
    } catch (RuntimeException e) {
      // A handler's failure must not stop the reader: the next message is still served.
      log.accept("message handling failed: " + Excerpt.of(String.valueOf(e)));
    }
  }

  /** Whether {@code text} holds one JSON value followed by more than whitespace. */
  static boolean hasTrailingBytes(String text) {
    try (JsonReader reader = new JsonReader(new StringReader(text))) {
      reader.setStrictness(Strictness.LENIENT);
      reader.skipValue();
      return reader.peek() != JsonToken.END_DOCUMENT;
    } catch (IOException | RuntimeException e) {
      return false; // not JSON at all: parsing reports it
    }
  }

  private void answer(Optional<Either<String, Number>> id, int code, String text) {
    if (id.isEmpty()) {
      return;
    }
    RequestMessage request = new RequestMessage();
    request.setRawId(id.get());
    request.setMethod("");
    issues.handle(request, List.of(new MessageIssue(text, code)));
  }
}
