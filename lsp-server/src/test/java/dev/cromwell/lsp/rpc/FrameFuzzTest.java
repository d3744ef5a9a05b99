package dev.cromwell.lsp.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.jsonrpc.json.MessageJsonHandler;
import org.eclipse.lsp4j.jsonrpc.services.ServiceEndpoints;
import org.eclipse.lsp4j.services.LanguageServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz tests of the JSON-RPC framing on arbitrary byte streams: only the documented IOException (a
 * long run without any header) may come out, every frame is within the limits, the reader always
 * makes progress (so never hangs), a bad frame is logged in one short line, and no message is
 * delivered that the stream did not announce. Under plain JUnit they replay {@code
 * FrameFuzzTestInputs/}; with {@code JAZZER_FUZZ=1} they fuzz (docs/ARCHITECTURE.md says how).
 *
 * <p>{@link Timeout} bounds each input, so that a hang found once fails the replay instead of
 * stalling CI (in its own thread, as a busy loop ignores interrupts); when fuzzing, Jazzer takes it
 * as its per-input timeout and saves a {@code timeout-} input. A fuzzing run, one long JUnit
 * invocation, must then pass {@code -Djunit.jupiter.execution.timeout.mode=disabled}.
 */
class FrameFuzzTest {
  /** The smallest limits, so that the fuzzer reaches every one of them. */
  private static final FrameLimits LIMITS = new FrameLimits(64, 1024, 1024);

  private static final MessageJsonHandler JSON =
      new MessageJsonHandler(ServiceEndpoints.getSupportedMethods(LanguageServer.class));

  @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  @FuzzTest(maxDuration = "2m", maxExecutions = 1_000_000)
  void readFrames(byte[] stream) {
    List<String> problems = new ArrayList<>();
    FrameReader reader = new FrameReader(new ByteArrayInputStream(stream), LIMITS, problems::add);
    int frames = 0;
    try {
      FrameReader.Frame frame;
      while ((frame = reader.next()) != null) {
        frames++;
        assertTrue(frames <= headers(stream), "more frames than Content-Length headers");
        switch (frame) {
          case FrameReader.Body body ->
              assertTrue(body.bytes().length <= LIMITS.messageBytes(), "a body over the limit");
          case FrameReader.Oversized over -> {
            assertTrue(over.length() > LIMITS.messageBytes(), "an oversized frame within limit");
            assertTrue(over.head().length <= 4096, "an oversized frame kept whole");
          }
        }
      }
    } catch (IOException garbage) {
      assertTrue(garbage.getMessage().contains("without a JSON-RPC header"), garbage.getMessage());
    }
    problems.forEach(FrameFuzzTest::isShort);
  }

  @Test
  void aLineOverTheSmallestHeaderCapIsSkippedAndTheNextMessageRead() throws IOException {
    // Found by readFrames: with a 64-byte cap the kept tail filled the line and the next byte
    // was written past its end (ArrayIndexOutOfBoundsException).
    String stream = "x".repeat(200) + "\r\nContent-Length: 2\r\n\r\n{}";
    List<String> problems = new ArrayList<>();
    FrameReader reader =
        new FrameReader(
            new ByteArrayInputStream(stream.getBytes(StandardCharsets.US_ASCII)),
            LIMITS,
            problems::add);
    FrameReader.Frame frame = reader.next();
    assertEquals("{}", new String(((FrameReader.Body) frame).bytes(), StandardCharsets.US_ASCII));
    assertEquals(1, problems.size(), problems.toString());
  }

  @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  @FuzzTest(maxDuration = "2m", maxExecutions = 1_000_000)
  void produceMessages(byte[] stream) {
    List<String> log = new ArrayList<>();
    List<Object> delivered = new ArrayList<>();
    FramedMessageProducer producer =
        new FramedMessageProducer(
            new ByteArrayInputStream(stream),
            JSON,
            (message, issues) -> delivered.add(issues),
            LIMITS,
            log::add);
    producer.listen(delivered::add);
    assertTrue(
        delivered.size() <= headers(stream),
        delivered.size() + " messages or answers from " + headers(stream) + " headers");
    log.forEach(FrameFuzzTest::isShort);
  }

  @Test
  void aShortBodyWithTrailingBytesIsPutBackOnceSoTheProducerEnds() throws IOException {
    // Found by produceMessages: a body with bytes after its JSON that also failed to parse was
    // put back twice, so its last header came round again forever (listen never returned).
    byte[] stream;
    try (InputStream in =
        FrameFuzzTest.class.getResourceAsStream(
            "FrameFuzzTestInputs/produceMessages/timeout-ba05024d55b53de6e9d8331937d0e820cb1f9417")) {
      stream = in.readAllBytes();
    }
    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> produceMessages(stream));
  }

  @Test
  void aBodyIsResumedInsideOnlyOnce() throws IOException {
    String next = "Content-Length: 2\r\n\r\n{}";
    String stream = "Content-Length: " + (2 + next.length()) + "\r\n\r\n{}" + next;
    FrameReader reader =
        new FrameReader(
            new ByteArrayInputStream(stream.getBytes(StandardCharsets.US_ASCII)),
            LIMITS,
            problem -> {});
    FrameReader.Body outer = (FrameReader.Body) reader.next();
    assertTrue(reader.resumeInside(outer), "the inner header is put back");
    assertTrue(!reader.resumeInside(outer), "a second time would read the inner message twice");
    FrameReader.Body inner = (FrameReader.Body) reader.next();
    assertEquals("{}", new String(inner.bytes(), StandardCharsets.US_ASCII));
    assertEquals(null, reader.next());
  }

  private static void isShort(String line) {
    assertTrue(line.length() <= 600 && !line.contains("\n"), "a long log line: " + line.length());
  }

  /** How many {@code Content-Length:} headers the stream holds (any case). */
  private static int headers(byte[] stream) {
    String text =
        new String(stream, StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT);
    int count = 0;
    for (int at = text.indexOf("content-length:");
        at >= 0;
        at = text.indexOf("content-length:", at + 1)) {
      count++;
    }
    return count;
  }
}
