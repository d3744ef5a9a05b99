package dev.cromwell.edit;

import dev.cromwell.engine.generate.Sampler;
import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.model.Session;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * How likely a model finds each line of a text where it follows a context: per line, the natural
 * log-probability of its least likely token. A token counts on the line of its first visible
 * character (its first byte when it has none), so the indentation token that ends the line before
 * does not blame it. Batched passes of a prefill chunk over the text with the logits of every
 * position; the context is prefilled as any prompt, sharing the session's cached positions.
 */
public final class LineLikelihood {
  /**
   * Rows per pass over the text, as many as a prefill chunk: two whole token groups of the batched
   * kernels (32 at 512 bits), so that every row is computed as fast as in a prompt. PassCost (1.5B
   * Q4_K_M, 2 threads, Xeon, 512 tokens): 16 rows a pass cost 41 ms a token, 64 rows 19-22 ms,
   * plain prefill 17 ms; 16 rows fall short of a group and go through the slower dot products. The
   * rows' logits (39 MB of Qwen's 151,936 at 64) are this scoring's own, dropped after it.
   */
  private static final int PASS = Model.DEFAULT_PREFILL_CHUNK;

  private LineLikelihood() {}

  /**
   * The scoring of {@code text} after {@code context} (with the model's BOS token first when {@code
   * bos}, as the caller's generation prompts have it), to run part by part ({@link Scoring#next}),
   * as a scheduler shares the model between a long pass and running jobs. Its result is, per line
   * of {@code text}, the lowest log-probability of a token on it (0 for a line with none). Empty
   * when the text cannot be scored: nothing before it, a tokenizer whose token bytes do not spell
   * the text back (so positions cannot be told), or more tokens than the context holds.
   */
  public static Optional<Scoring> start(Model model, boolean bos, String context, String text) {
    if (context.isEmpty() || text.isEmpty()) {
      return Optional.empty();
    }
    // Special-token parsing as in generation, so that the context's chat markers are their tokens.
    int[] encoded = model.tokenizer().encode(context + text, true);
    int lead = bos ? 1 : 0;
    int[] tokens = new int[encoded.length + lead];
    System.arraycopy(encoded, 0, tokens, lead, encoded.length);
    if (bos) {
      tokens[0] = model.tokenizer().vocabulary().bosId();
    }
    if (tokens.length >= model.contextLength()) {
      return Optional.empty();
    }
    int[] ends = new int[tokens.length];
    int[] visible = new int[tokens.length];
    int bytes = 0;
    // A BOS token stands before the text and spells none of it.
    for (int t = lead; t < tokens.length; t++) {
      byte[] b = model.tokenizer().tokenBytes(tokens[t], true);
      visible[t] = bytes + firstVisible(b);
      bytes += b.length;
      ends[t] = bytes;
    }
    int contextBytes = context.getBytes(StandardCharsets.UTF_8).length;
    byte[] textBytes = text.getBytes(StandardCharsets.UTF_8);
    if (bytes != contextBytes + textBytes.length) {
      return Optional.empty();
    }
    int first = 0;
    while (first < tokens.length && ends[first] <= contextBytes) {
      first++;
    }
    if (first == 0 || first == tokens.length) {
      return Optional.empty();
    }
    // Where each token's line is, as a line of the text (visible offsets less the context).
    int[] lineStarts = lineStarts(textBytes);
    int[] lineOfToken = new int[tokens.length];
    for (int t = first; t < tokens.length; t++) {
      lineOfToken[t] = lineOf(lineStarts, visible[t] - contextBytes);
    }
    return Optional.of(
        new Scoring(
            model, tokens, first, lineOfToken, lineStarts.length, ends, contextBytes, text));
  }

  /**
   * A scoring under way: its first parts prefill the context a chunk each (sharing what the session
   * holds), each later one is one pass of {@link #PASS} rows over the text.
   */
  public static final class Scoring {
    private final Model model;
    private final int[] tokens;
    private final int[] context;
    private final int first;
    private final int[] lineOfToken;
    private final double[] lowest;
    // Per line, the index of its least likely token (-1 for none); per token, the ids the model
    // found most likely in its place (a line's least likely token and the one before it are tried).
    private final int[] leastLikelyToken;
    private final int[][] expectedIds;
    private final int[] tokenEnds;
    private final int contextBytes;
    private final byte[] textBytes;
    private final int pass;
    // The token the logits in hand predict; -1 before the context is in.
    private int next = -1;
    private float[][] rows;

    private Scoring(
        Model model,
        int[] tokens,
        int first,
        int[] lineOfToken,
        int lines,
        int[] tokenEnds,
        int contextBytes,
        String text) {
      this.model = model;
      this.tokens = tokens;
      this.context = Arrays.copyOf(tokens, first);
      this.first = first;
      this.lineOfToken = lineOfToken;
      this.lowest = new double[lines];
      this.leastLikelyToken = new int[lines];
      Arrays.fill(leastLikelyToken, -1);
      this.expectedIds = new int[tokens.length][];
      this.tokenEnds = tokenEnds;
      this.contextBytes = contextBytes;
      this.textBytes = text.getBytes(StandardCharsets.UTF_8);
      this.pass = Math.min(PASS, model.prefillChunk());
    }

    /**
     * The tokens scored and their context: the prompt whose session the scoring should run in (one
     * holding its context, say).
     */
    public int[] tokens() {
      return tokens.clone();
    }

    /**
     * Runs the next part in {@code session}, which must hold what the earlier parts left: the
     * lines' scores once the last token is scored, empty while parts are left, and {@link
     * LineScores#none} once {@code cancelled} stopped it.
     */
    public Optional<LineScores> next(Session session, BooleanSupplier cancelled) {
      if (cancelled.getAsBoolean()) {
        return Optional.of(LineScores.none());
      }
      if (next < 0) {
        // A chunk a part: the context is mostly in the session already (a served edit's head went
        // through the queue), but where it is not, a long one must not hold the model at once.
        float[] logits;
        try {
          logits = session.prefillPart(context, model.prefillChunk(), cancelled);
        } catch (CancellationException e) {
          return Optional.of(LineScores.none());
        }
        if (logits == null) {
          return Optional.empty();
        }
        next = first;
        score(logits, next);
        return next + 1 == tokens.length ? Optional.of(result()) : Optional.empty();
      }
      // logits predict tokens[next]; a pass adds tokens from it and yields the logits after each.
      int count = Math.min(pass, tokens.length - 1 - next);
      if (rows == null) {
        rows = session.rows(Math.min(pass, tokens.length - 1 - first));
      }
      session.extend(Arrays.copyOfRange(tokens, next, next + count), rows);
      for (int i = 0; i < count; i++) {
        score(rows[i], next + 1 + i);
      }
      next += count;
      return next + 1 == tokens.length ? Optional.of(result()) : Optional.empty();
    }

    private void score(float[] logitsBefore, int token) {
      int line = lineOfToken[token];
      double p = logProbability(logitsBefore, tokens[token]);
      expectedIds[token] = Sampler.topCandidates(logitsBefore, EXPECTED_CANDIDATES);
      if (p < lowest[line] || leastLikelyToken[line] < 0) {
        lowest[line] = Math.min(lowest[line], p);
        leastLikelyToken[line] = token;
      }
    }

    private LineScores result() {
      List<LineScores.LeastLikelyToken> least = new ArrayList<>();
      for (int line = 0; line < lowest.length; line++) {
        least.add(leastLikely(line));
      }
      return new LineScores(lowest.clone(), least);
    }

    /**
     * Line {@code line}'s least likely token as characters of the text, with what the model
     * expected there, and the token before it on the line; null where it has none, or where the
     * token is not whole characters (a token that splits a character cannot be swapped as text).
     */
    private LineScores.LeastLikelyToken leastLikely(int line) {
      int token = leastLikelyToken[line];
      if (token < 0 || lowest[line] == 0) {
        return null;
      }
      LineScores.LeastLikelyToken previous =
          token - 1 >= first && lineOfToken[token - 1] == line ? slot(token - 1, null) : null;
      return slot(token, previous);
    }

    /** Token {@code token} as characters of the text, or null where it splits a character. */
    private LineScores.LeastLikelyToken slot(int token, LineScores.LeastLikelyToken previous) {
      int startByte = tokenEnds[token - 1] - contextBytes;
      int endByte = tokenEnds[token] - contextBytes;
      if (startByte < 0 || !startsCharacter(startByte) || !startsCharacter(endByte)) {
        return null;
      }
      String actual = new String(textBytes, startByte, endByte - startByte, StandardCharsets.UTF_8);
      List<String> expected = new ArrayList<>();
      for (int id : expectedIds[token]) {
        String candidate = wholeCharacters(model.tokenizer().tokenBytes(id, false));
        if (candidate != null
            && !candidate.isEmpty()
            && !candidate.equals(actual)
            && candidate.indexOf('\n') < 0
            && candidate.indexOf('\r') < 0
            && expected.size() < EXPECTED_KEPT) {
          expected.add(candidate);
        }
      }
      int start = new String(textBytes, 0, startByte, StandardCharsets.UTF_8).length();
      return new LineScores.LeastLikelyToken(start, start + actual.length(), expected, previous);
    }

    /** Whether byte {@code offset} of the text starts a character (or is its end). */
    private boolean startsCharacter(int offset) {
      return offset >= textBytes.length || (textBytes[offset] & 0xC0) != 0x80;
    }
  }

  /**
   * How many of the most likely tokens are looked at for a line's expected ones, and how many are
   * kept: one-token repairs try each kept one, a scoring pass apiece.
   */
  private static final int EXPECTED_CANDIDATES = 8;

  private static final int EXPECTED_KEPT = 3;

  /** {@code bytes} as text when they are whole UTF-8 characters, else null. */
  private static String wholeCharacters(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes))
          .toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      return null;
    }
  }

  /** Offset of the first byte that is not ASCII white space, else 0. */
  private static int firstVisible(byte[] token) {
    for (int i = 0; i < token.length; i++) {
      if (token[i] != ' ' && token[i] != '\t' && token[i] != '\n' && token[i] != '\r') {
        return i;
      }
    }
    return 0;
  }

  /**
   * Byte offsets where each line of {@code text} starts (a last line after a final newline too).
   */
  private static int[] lineStarts(byte[] text) {
    int lines = 1;
    for (byte b : text) {
      lines += b == '\n' ? 1 : 0;
    }
    int[] starts = new int[lines];
    int line = 1;
    for (int i = 0; i < text.length; i++) {
      if (text[i] == '\n' && line < lines) {
        starts[line++] = i + 1;
      }
    }
    return starts;
  }

  /**
   * The line holding byte {@code offset} of the text (a byte before it counts as the first line).
   */
  private static int lineOf(int[] starts, int offset) {
    int at = Arrays.binarySearch(starts, offset);
    return Math.max(0, at >= 0 ? at : -at - 2);
  }

  private static double logProbability(float[] logits, int token) {
    float max = Float.NEGATIVE_INFINITY;
    for (float x : logits) {
      max = Math.max(max, x);
    }
    double sum = 0;
    for (float x : logits) {
      sum += Math.exp(x - max);
    }
    return logits[token] - max - Math.log(sum);
  }
}
