package dev.cromwell.lsp;

import dev.cromwell.edit.EditPasses;
import dev.cromwell.engine.generate.GenerationRequest;
import dev.cromwell.engine.generate.GenerationResult;
import dev.cromwell.engine.generate.GenerationStats;
import dev.cromwell.engine.generate.Generator;
import dev.cromwell.engine.generate.SamplerSettings;
import dev.cromwell.engine.generate.StopReason;
import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.model.Session;
import dev.cromwell.prompt.FimTokens;
import dev.cromwell.prompt.PromptTokens;
import dev.cromwell.protocol.FimFormat;
import dev.cromwell.service.BatchingScheduler;
import dev.cromwell.service.GenerationJob;
import dev.cromwell.service.GenerationQueue;
import dev.cromwell.service.QueueFullException;
import dev.cromwell.service.SchedulerPasses;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;

/**
 * Completions from a loaded model: greedy decoding in the model's FIM format, one session per
 * document, with token healing. Once the runtime attaches its scheduler ({@link #decodeThrough}),
 * each completion is a job decoded together with other documents' completions.
 */
public final class ModelCompleter implements Completer {
  private final Model model;
  private final SessionPool sessions;
  private final FimFormat format;
  private final Set<Integer> stopTokens;
  private final boolean kvReuse;
  private final TokenHealing healing;
  private volatile GenerationQueue queue;
  // Where edits' passes run once a scheduler is attached: its parted work (before, on the caller's
  // thread).
  private volatile EditPasses editPasses;
  // Prompt tokens per second of recent prefills (warm-up included), averaged so that one slow
  // moment does not decide: it sizes the prompt that fits a completion's time limit.
  private volatile double prefillPerSecond;

  public ModelCompleter(Model model, long memoryBudgetBytes) {
    this(model, memoryBudgetBytes, true);
  }

  ModelCompleter(Model model, long memoryBudgetBytes, boolean kvReuse) {
    this.kvReuse = kvReuse;
    this.model = model;
    this.sessions = new SessionPool(model, memoryBudgetBytes);
    FimTokens fim = FimTokens.of(model.tokenizer());
    this.format = fim.format();
    this.stopTokens = fim.stopIds();
    this.healing = new TokenHealing(model.tokenizer());
  }

  @Override
  public FimFormat format() {
    return format;
  }

  Model model() {
    return model;
  }

  @Override
  public Output complete(
      String documentKey,
      List<FimFormat.Part> prompt,
      GenerationRequest.TextStop stop,
      int maxTokens,
      long timeLimitNanos,
      BooleanSupplier cancelled) {
    long encodeStart = System.nanoTime();
    PromptTokens.Encoded encoded = encode(prompt);
    long encodeNanos = System.nanoTime() - encodeStart;
    int[] tokens = encoded.tokens();
    int cursorEnd = encoded.cursorEnd();
    if (tokens.length == 0) {
      // The cursor at the very start of a file, with a format that puts nothing before it and a
      // model without a BOS token: there is nothing to condition on, so nothing to suggest.
      return new Output("", 0, 0, 0, "empty prompt");
    }
    int room = model.contextLength() - maxTokens - 1;
    if (tokens.length > room) {
      // Keep the end: the cursor is there. (Budgets normally prevent this.)
      cursorEnd -= tokens.length - room;
      tokens = java.util.Arrays.copyOfRange(tokens, tokens.length - room, tokens.length);
    }
    if (!kvReuse) {
      sessions.forget(documentKey); // measure the cost of recomputing every prompt
    }
    Session session = sessions.forDocument(documentKey);
    // Token healing: run the prompt without its last cursor token, and let the first token be
    // chosen among those that spell its bytes out again (greedily, as the rest is chosen); the
    // bytes already typed are then dropped from the suggestion, and stop rules see it without them.
    TokenHealing.Plan plan = healing.plan(tokens, cursorEnd);
    String typed = plan.heals() ? new String(plan.removed(), StandardCharsets.UTF_8) : "";
    GenerationRequest.TextStop afterTyped =
        typed.isEmpty()
            ? stop
            : text -> {
              if (!text.startsWith(typed)) {
                return -1;
              }
              int cut = stop.cut(text.substring(typed.length()));
              return cut < 0 ? -1 : cut + typed.length();
            };
    GenerationRequest request =
        new GenerationRequest(
            plan.prompt(),
            Math.max(0, maxTokens),
            SamplerSettings.greedy(),
            stopTokens,
            List.of(),
            timeLimitNanos,
            afterTyped,
            plan.heals() ? logits -> healing.choose(logits, plan.removed()) : null);
    long[] queued = new long[1];
    GenerationResult result = generate(session, request, cancelled, queued);
    if (result == null) {
      return new Output("", 0, 0, 0, "cancelled");
    }
    String text = result.text();
    if (!typed.isEmpty()) {
      text = text.startsWith(typed) ? text.substring(typed.length()) : "";
    }
    GenerationStats stats = result.stats();
    notePrefill(stats, result.stopReason());
    return new Output(
        text,
        stats.promptTokensReused(),
        stats.promptTokens() - stats.promptTokensReused(),
        stats.generatedTokens(),
        result.stopReason().label(),
        new Costs(encodeNanos, queued[0], stats.promptNanos(), stats.generationNanos()));
  }

  /**
   * Tokens a {@link #prime} computes in one job: the model thread takes a newer request between
   * jobs, so this bounds how long one waits for a prime (the engine itself stops a prefill only at
   * its 64-token chunks, ≈ 0.25 s idle and over 1 s on a busy machine).
   */
  static final int PRIME_PIECE = 16;

  /**
   * Computes {@code prompt} in jobs of {@link #PRIME_PIECE} tokens, each a prefix of the prompt
   * that the next one reuses, checking {@code stop} between them.
   */
  @Override
  public void prime(String documentKey, List<FimFormat.Part> prompt, BooleanSupplier stop) {
    int[] tokens = encode(prompt).tokens();
    int room = model.contextLength() - 1;
    if (tokens.length > room) {
      tokens = java.util.Arrays.copyOfRange(tokens, tokens.length - room, tokens.length);
    }
    Session session = sessions.forDocument(documentKey);
    int end = held(documentKey, tokens);
    while (end < tokens.length && !stop.getAsBoolean()) {
      end = Math.min(tokens.length, end + PRIME_PIECE);
      GenerationRequest piece =
          new GenerationRequest(
              java.util.Arrays.copyOf(tokens, end),
              0,
              SamplerSettings.greedy(),
              stopTokens,
              List.of(),
              0,
              GenerationRequest.TextStop.NEVER,
              null);
      if (generate(session, piece, stop, new long[1]) == null) {
        return;
      }
    }
  }

  /** Folds a finished prefill of enough tokens into the prefill rate. */
  private void notePrefill(GenerationStats stats, StopReason reason) {
    int computed = stats.promptTokens() - stats.promptTokensReused();
    boolean wholePrompt =
        stats.generatedTokens() > 0
            || (reason != StopReason.TIME_LIMIT && reason != StopReason.CANCELLED);
    if (wholePrompt && computed >= 32 && stats.promptNanos() > 0) {
      double rate = computed / (stats.promptNanos() / 1e9);
      double old = prefillPerSecond;
      prefillPerSecond = old == 0 ? rate : (old + rate) / 2;
    }
  }

  @Override
  public double prefillTokensPerSecond() {
    return prefillPerSecond;
  }

  @Override
  public int uncachedTokens(String documentKey, List<FimFormat.Part> prompt) {
    int[] tokens = encode(prompt).tokens();
    return tokens.length - held(documentKey, tokens);
  }

  /** How many of {@code tokens}, from the start, the document's session holds. */
  private int held(String documentKey, int[] tokens) {
    // Read between this document's jobs (a document's jobs run one after another); a job of
    // its own still running makes this an estimate, which is all it is used for.
    int[] held = sessions.held(documentKey);
    int common = 0;
    while (common < Math.min(held.length, tokens.length) && held[common] == tokens[common]) {
      common++;
    }
    return common;
  }

  /**
   * Generates in the document's {@code session}: as a job of the runtime's batching scheduler once
   * one is attached (it decodes with other documents' jobs), else right here (warm-up, tools that
   * own the model). Null when the job was dropped unrun (cancelled, or the model was unloaded).
   * {@code queued[0]} is set to the time the job waited for the model thread.
   */
  private GenerationResult generate(
      Session session, GenerationRequest request, BooleanSupplier cancelled, long[] queued) {
    GenerationQueue q = queue;
    if (q == null) {
      return Generator.generate(session, request, piece -> {}, cancelled);
    }
    CompletableFuture<GenerationJob.Outcome> done = new CompletableFuture<>();
    try {
      q.admit(
          new GenerationJob(request, piece -> {}, cancelled, 0, System.nanoTime(), done, session));
      GenerationJob.Outcome outcome = done.get();
      queued[0] = outcome.queuedNanos();
      return outcome.result();
    } catch (QueueFullException | RejectedExecutionException | CancellationException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (ExecutionException e) {
      throw dev.cromwell.service.JobFailure.of(e);
    }
  }

  /**
   * From now on completions are jobs in {@code queue}, which {@code scheduler} decodes, and edits
   * its parted work: its thread is the only one that runs passes on the model.
   */
  void decodeThrough(GenerationQueue queue, BatchingScheduler scheduler) {
    this.editPasses = new SchedulerPasses(scheduler);
    this.queue = queue;
  }

  /** The prompt's tokens, and where the text before the cursor ends among them. */
  PromptTokens.Encoded encode(List<FimFormat.Part> prompt) {
    return PromptTokens.encode(model.tokenizer(), prompt, format.cursorPart(prompt));
  }

  @Override
  public void closed(String documentKey) {
    if (kvReuse) {
      sessions.close(documentKey);
    } else {
      sessions.forget(documentKey); // nothing is reused: keeping it would only hold memory
    }
  }

  @Override
  public void forget(String documentKey) {
    sessions.forget(documentKey);
  }

  @Override
  public int sessions() {
    return sessions.size();
  }

  @Override
  public int closedSessions() {
    return sessions.closedSize();
  }

  /**
   * The model for an edit; once a scheduler decodes the completions, the edit's passes run a pass
   * at a time between their steps, so the caller must wait on a thread of its own, never the
   * scheduler's.
   */
  @Override
  public dev.cromwell.edit.EditModel editModel() {
    EditPasses passes = editPasses;
    return new dev.cromwell.edit.ModelEditModel(
        model, passes == null ? EditPasses.here(model) : passes);
  }

  @Override
  public int countTokens(String text) {
    return model.tokenizer().encode(text, false).length;
  }
}
