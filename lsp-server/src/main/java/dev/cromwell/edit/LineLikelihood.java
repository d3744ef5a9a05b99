package dev.cromwell.edit;

import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.model.Session;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * How likely a model finds each line of a text where it follows a context: per line, the natural
 * log-probability of its least likely token. A token counts on the line of its first visible
 * character (its first byte when it has none), so the indentation token that ends the line before
 * does not blame it. One batched pass over the text with the logits of every position; the context
 * is prefilled as any prompt, sharing the session's cached positions.
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
   * Per line of {@code text}, the lowest log-probability of a token on it (0 for a line with none),
   * read after {@code context} (with the model's BOS token first when {@code bos}, as the caller's
   * generation prompts have it). Empty when the text cannot be scored (or {@code cancelled} stopped
   * it): nothing before it, a tokenizer whose token bytes do not spell the text back (so positions
   * cannot be told), or more tokens than the context holds.
   */
  public static double[] of(
      Model model,
      Session session,
      boolean bos,
      String context,
      String text,
      BooleanSupplier cancelled) {
    if (context.isEmpty() || text.isEmpty()) {
      return new double[0];
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
      return new double[0];
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
      return new double[0];
    }
    int first = 0;
    while (first < tokens.length && ends[first] <= contextBytes) {
      first++;
    }
    if (first == 0 || first == tokens.length) {
      return new double[0];
    }
    int[] lineStarts = lineStarts(textBytes);
    double[] lowest = new double[lineStarts.length];
    float[] logits;
    try {
      logits = session.prefill(Arrays.copyOf(tokens, first), cancelled);
    } catch (CancellationException e) {
      return new double[0];
    }
    // logits predict tokens[next]; each extend pass adds tokens and yields the logits after each.
    int pass = Math.min(PASS, model.prefillChunk());
    float[][] rows = session.rows(Math.min(pass, tokens.length - 1 - first));
    int next = first;
    while (true) {
      int line = lineOf(lineStarts, visible[next] - contextBytes);
      lowest[line] = Math.min(lowest[line], logProbability(logits, tokens[next]));
      if (next + 1 == tokens.length || cancelled.getAsBoolean()) {
        break;
      }
      int count = Math.min(pass, tokens.length - 1 - next);
      session.extend(Arrays.copyOfRange(tokens, next, next + count), rows);
      for (int i = 0; i < count - 1; i++) {
        int token = next + 1 + i;
        int at = lineOf(lineStarts, visible[token] - contextBytes);
        lowest[at] = Math.min(lowest[at], logProbability(rows[i], tokens[token]));
      }
      logits = rows[count - 1];
      next += count;
    }
    return cancelled.getAsBoolean() ? new double[0] : lowest;
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
