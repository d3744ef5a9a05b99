package dev.cromwell.edit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.model.Session;
import dev.cromwell.service.GenerationService;
import dev.cromwell.testing.RealModels;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Line scores of the real SmolLM2 against the same model stepped one token at a time: the batched
 * pass (several chunks of logits) must give each token the probability plain decoding gives it; and
 * through {@code cromwell serve}'s scheduler, the same scores.
 */
class LineLikelihoodRealModelTest {
  static final String CONTEXT = "# geometry helpers\nimport math\n\n";
  static final String TEXT =
      """
      def circle_area(radius):
          \"\"\"The area of a circle of the given radius.\"\"\"
          return math.pi * radius * radius


      def square_area(side):
          \"\"\"The area of a square with the given side.\"\"\"
          return side * side


      def rectangle_area(width, height):
          \"\"\"The area of a rectangle.\"\"\"
          return width * zebra_quux_xylophone
      """;

  @Test
  void eachLineGetsItsLeastLikelyTokenAsPlainDecodingScoresIt() {
    // Small chunks, so that the text takes several passes of logits.
    try (Model model = Model.load(RealModels.smollm2(), new Model.Options(2, 2048, 16))) {
      double[] batched = scored(model, model.newSession(), false, CONTEXT, TEXT, () -> false);
      double[] stepped = stepped(model, false, CONTEXT, TEXT);
      assertTrue(model.tokenizer().encode(TEXT, false).length > 2 * model.prefillChunk());
      assertEquals(stepped.length, batched.length);
      for (int line = 0; line < stepped.length; line++) {
        assertEquals(stepped[line], batched[line], 2e-3, "line " + (line + 1));
      }
      // The made-up name makes the last code line the least likely one.
      int lowest = 0;
      for (int line = 1; line < batched.length; line++) {
        lowest = batched[line] < batched[lowest] ? line : lowest;
      }
      assertEquals("    return width * zebra_quux_xylophone", TEXT.split("\n")[lowest]);
    }
  }

  @Test
  void eachLinesLeastLikelyTokenIsNamedWithTheTokensTheModelExpectedThere() {
    try (Model model = Model.load(RealModels.smollm2(), new Model.Options(2, 2048, 16))) {
      Session scoring = model.newSession();
      LineScores scores =
          LineLikelihood.start(model, false, CONTEXT, TEXT)
              .map(s -> runToEnd(s, scoring))
              .orElseThrow();
      // The reference: one token at a time, the least likely token of the made-up name's line and
      // the model's most likely tokens at it.
      int[] tokens = model.tokenizer().encode(CONTEXT + TEXT, true);
      Session session = model.newSession();
      float[] logits = session.prefill(new int[] {tokens[0]}, () -> false);
      int line = TEXT.split("\n").length - 1;
      int lineStart = TEXT.lastIndexOf("    return width");
      int offset = model.tokenizer().tokenBytes(tokens[0], true).length - CONTEXT.length();
      double lowest = 0;
      int lowestStart = -1;
      int lowestEnd = -1;
      int expected = -1;
      int lineEnd = TEXT.indexOf('\n', lineStart);
      for (int t = 1; t < tokens.length; t++) {
        int length = model.tokenizer().tokenBytes(tokens[t], true).length;
        // A token counts on the line of its first visible character, else of its first one.
        int visible = offset;
        while (visible >= 0
            && visible < offset + length
            && Character.isWhitespace(TEXT.charAt(visible))) {
          visible++;
        }
        visible = visible == offset + length ? offset : visible;
        boolean onLine = visible >= lineStart && visible <= lineEnd;
        double lp = logSoftmax(logits)[tokens[t]];
        if (onLine && lp < lowest) {
          lowest = lp;
          lowestStart = offset;
          lowestEnd = offset + length;
          expected = dev.cromwell.engine.generate.Sampler.argmax(logits);
        }
        logits = session.next(tokens[t]);
        offset += length;
      }
      LineScores.LeastLikelyToken token = scores.leastLikely(line).orElseThrow();
      assertEquals(lowest, scores.lowest()[line], 2e-3);
      assertEquals(lowestStart, token.start());
      assertEquals(lowestEnd, token.end());
      assertTrue(TEXT.substring(token.start(), token.end()).strip().length() > 0);
      assertEquals(
          new String(model.tokenizer().tokenBytes(expected, false), StandardCharsets.UTF_8),
          token.expected().getFirst(),
          "the model's most likely token there");
      assertTrue(token.expected().size() <= 3);
    }
  }

  private static LineScores runToEnd(LineLikelihood.Scoring scoring, Session session) {
    while (true) {
      java.util.Optional<LineScores> lines = scoring.next(session, () -> false);
      if (lines.isPresent()) {
        return lines.get();
      }
    }
  }

  @Test
  void theServiceScoresOnItsSchedulersThreadAsTheEngineDoes() {
    try (Model model = Model.load(RealModels.smollm2(), new Model.Options(2, 2048));
        GenerationService service = new GenerationService(model, "smollm2", 8, 4)) {
      double[] direct = scored(model, model.newSession(), false, CONTEXT, TEXT, () -> false);
      double[] served =
          service.editModel(Duration.ofMinutes(1)).lineScores(CONTEXT, TEXT, () -> false).lowest();
      assertEquals(TEXT.split("\n", -1).length, served.length);
      assertArrayEquals(direct, served, 2e-3);
    }
  }

  @Test
  void aCancelledScoreIsEmpty() {
    try (Model model = Model.load(RealModels.smollm2(), Model.Options.defaults())) {
      Session session = model.newSession();
      int[] calls = {0};
      double[] scores = scored(model, session, false, CONTEXT, TEXT, () -> calls[0]++ > 0);
      assertEquals(0, scores.length);
    }
  }

  @Test
  void aTokenThatStartsInTheContextCountsOnTheTextsFirstLine() {
    // The context ends at a line end and the text starts with indentation and a multi-byte name,
    // so tokens may straddle the boundary.
    String context = "def f(x):\n\n";
    String text = "\n    größe = x * 2\n    return größe\n";
    try (Model model = Model.load(RealModels.smollm2(), new Model.Options(2, 2048, 16))) {
      int contextBytes = context.getBytes(StandardCharsets.UTF_8).length;
      int offset = 0;
      boolean straddles = false;
      for (int token : model.tokenizer().encode(context + text, true)) {
        int length = model.tokenizer().tokenBytes(token, true).length;
        straddles |= offset < contextBytes && offset + length > contextBytes;
        offset += length;
      }
      assertTrue(straddles, "no token crosses from the context into the text");
      double[] batched = scored(model, model.newSession(), false, context, text, () -> false);
      assertArrayEquals(stepped(model, false, context, text), batched, 2e-3);
      assertEquals(4, batched.length);
      assertTrue(batched[1] < 0 && batched[2] < 0, Arrays.toString(batched));
      // With a BOS token first (as serve's prompts have it for models that want one).
      double[] afterBos = scored(model, model.newSession(), true, context, text, () -> false);
      assertArrayEquals(stepped(model, true, context, text), afterBos, 2e-3);
    }
  }

  /** The same scores from one token at a time, each attributed to its first visible byte's line. */
  private static double[] stepped(Model model, boolean bos, String context, String text) {
    int[] encoded = model.tokenizer().encode(context + text, true);
    int lead = bos ? 1 : 0;
    int[] tokens = new int[encoded.length + lead];
    System.arraycopy(encoded, 0, tokens, lead, encoded.length);
    tokens[0] = bos ? model.tokenizer().vocabulary().bosId() : tokens[0];
    int contextBytes = context.getBytes(StandardCharsets.UTF_8).length;
    double[] lowest = new double[text.split("\n", -1).length];
    Session session = model.newSession();
    byte[] all = (context + text).getBytes(StandardCharsets.UTF_8);
    int offset = 0;
    float[] logits = null;
    for (int t = 0; t < tokens.length; t++) {
      // A BOS token spells none of the text.
      byte[] bytes = t < lead ? new byte[0] : model.tokenizer().tokenBytes(tokens[t], true);
      int visible = offset;
      while (visible < offset + bytes.length && Character.isWhitespace(all[visible])) {
        visible++;
      }
      visible = visible == offset + bytes.length ? offset : visible;
      if (offset + bytes.length > contextBytes && logits != null) {
        int line = visible < contextBytes ? 0 : lineOf(all, contextBytes, visible);
        double lp = logSoftmax(logits)[tokens[t]];
        lowest[line] = Math.min(lowest[line], lp);
      }
      logits =
          t == 0 ? session.prefill(new int[] {tokens[0]}, () -> false) : session.next(tokens[t]);
      offset += bytes.length;
    }
    return lowest;
  }

  private static int lineOf(byte[] all, int from, int at) {
    int line = 0;
    for (int i = from; i < at; i++) {
      line += all[i] == '\n' ? 1 : 0;
    }
    return line;
  }

  private static double[] logSoftmax(float[] logits) {
    double max = Arrays.stream(toDoubles(logits)).max().orElseThrow();
    double sum = 0;
    for (float x : logits) {
      sum += Math.exp(x - max);
    }
    double[] out = new double[logits.length];
    for (int i = 0; i < logits.length; i++) {
      out[i] = logits[i] - max - Math.log(sum);
    }
    return out;
  }

  private static double[] toDoubles(float[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  /** A scoring run to its end on one session, as the scheduler's parts would run it. */
  private static double[] scored(
      Model model,
      Session session,
      boolean bos,
      String context,
      String text,
      java.util.function.BooleanSupplier cancelled) {
    java.util.Optional<LineLikelihood.Scoring> scoring =
        LineLikelihood.start(model, bos, context, text);
    if (scoring.isEmpty()) {
      return new double[0];
    }
    while (true) {
      java.util.Optional<LineScores> lines = scoring.get().next(session, cancelled);
      if (lines.isPresent()) {
        return lines.get().lowest();
      }
    }
  }
}
