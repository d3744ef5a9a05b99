package dev.cromwell.service;

import dev.cromwell.chat.ChatFormat;
import dev.cromwell.chat.ChatMessage;
import dev.cromwell.edit.EarlyStop;
import dev.cromwell.edit.EditModel;
import dev.cromwell.edit.EditModel.OutOfTime;
import dev.cromwell.edit.LineLikelihood;
import dev.cromwell.edit.LineScores;
import dev.cromwell.engine.generate.GenerationRequest;
import dev.cromwell.engine.generate.Generator;
import dev.cromwell.engine.generate.SamplerSettings;
import dev.cromwell.engine.generate.Speculation;
import dev.cromwell.engine.generate.StopReason;
import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.tokenizer.Tokenizer;
import dev.cromwell.prompt.FimTokens;
import dev.cromwell.prompt.PromptTokens;
import dev.cromwell.protocol.FimFormat;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;

/**
 * Text generation for callers without documents (the HTTP API; any front door that has a prompt
 * rather than a cursor): prompts from plain text, fill-in-the-middle or a conversation rendered by
 * the model's chat template; sampling options; admission through the {@link GenerationQueue}; and
 * the queued model behind edits. Front doors translate their wire format to these calls and back.
 */
public final class GenerationService implements AutoCloseable {
  /**
   * How to generate.
   *
   * @param seed null picks one
   * @param timeout from admission to the last token; null or zero for none
   */
  public record Options(
      int maxTokens,
      float temperature,
      float topP,
      List<String> stop,
      Long seed,
      Duration timeout) {
    public Options {
      stop = stop == null ? List.of() : List.copyOf(stop);
      if (maxTokens < 1) {
        throw new IllegalArgumentException("max_tokens must be at least 1, got " + maxTokens);
      }
      if (!(temperature >= 0 && temperature <= 2)) {
        throw new IllegalArgumentException("temperature must be in [0, 2], got " + temperature);
      }
      if (!(topP > 0 && topP <= 1)) {
        throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
      }
    }
  }

  /** A prompt as tokens, with the extra tokens that end it (FIM formats have their own). */
  public record Prompt(int[] tokens, Set<Integer> stopTokens) {}

  private final Model model;
  private final String modelId;
  private final GenerationQueue queue;
  private final BatchingScheduler scheduler;
  private final ChatFormat chat;
  private final FimFormat fim;
  private final Set<Integer> fimStops;

  /** Batch size of {@code cromwell serve} unless told otherwise: the 8. */
  public static final int DEFAULT_BATCH = 8;

  public GenerationService(Model model, String modelId, int queueCapacity) {
    this(model, modelId, queueCapacity, DEFAULT_BATCH);
  }

  /**
   * @param batch the most requests decoding together (1 = one at a time)
   */
  public GenerationService(Model model, String modelId, int queueCapacity, int batch) {
    this.model = model;
    this.modelId = modelId;
    this.queue = new GenerationQueue(queueCapacity);
    // Four sessions beyond the batch keep recent prompts' caches for prefix reuse.
    this.scheduler = new BatchingScheduler(model, queue, batch, 4);
    this.chat = ChatFormat.forModel(model);
    FimTokens fimTokens = FimTokens.of(model.tokenizer());
    this.fim = fimTokens.format();
    this.fimStops = fimTokens.stopIds();
  }

  public String modelId() {
    return modelId;
  }

  public Model model() {
    return model;
  }

  public GenerationQueue queue() {
    return queue;
  }

  /** What runs the queue's jobs (its batch gauges are metrics). */
  public BatchingScheduler scheduler() {
    return scheduler;
  }

  /** Bytes of the KV caches kept for prefix reuse. */
  public long cacheBytes() {
    return scheduler.cacheBytes();
  }

  /**
   * A completion prompt: the text itself (special tokens written in it are parsed, as llama.cpp's
   * server does), or, with a suffix, the model's fill-in-the-middle format around the gap.
   */
  public Prompt completionPrompt(String prompt, String suffix) {
    Tokenizer t = model.tokenizer();
    if (suffix == null) {
      return new Prompt(PromptTokens.ofMarkedText(t, prompt), Set.of());
    }
    if (fim == FimFormat.PREFIX_ONLY) {
      throw new IllegalArgumentException(
          modelId + " has no fill-in-the-middle tokens, so it cannot use a suffix");
    }
    List<FimFormat.Part> parts = fim.render("", prompt, suffix, List.of(), "//");
    return new Prompt(PromptTokens.of(t, parts), fimStops);
  }

  /** A conversation through the model's chat template, the assistant's turn opened. */
  public Prompt chatPrompt(List<ChatMessage> messages) {
    String text = chat.render(messages).text();
    return new Prompt(PromptTokens.ofMarkedText(model.tokenizer(), text), Set.of());
  }

  /**
   * Refuses a prompt that is empty or leaves no room in the context for an answer, before any
   * options are read: the front doors name the prompt's own field for these.
   *
   * @throws IllegalArgumentException saying which, and what to do
   */
  public void checkPrompt(Prompt prompt) {
    if (prompt.tokens().length == 0) {
      throw new IllegalArgumentException("the prompt is empty");
    }
    if (room(prompt) < 1) {
      throw new IllegalArgumentException(
          "the prompt is "
              + prompt.tokens().length
              + " tokens, more than the context of "
              + model.contextLength()
              + " tokens leaves room for an answer: shorten it, or use a larger context");
    }
  }

  /** Room left for generation after {@code prompt}, in tokens. */
  public int room(Prompt prompt) {
    return model.contextLength() - prompt.tokens().length;
  }

  /**
   * Queues a generation. Text reaches {@code listener} as it is produced, on the model's thread, so
   * the listener must hand it off rather than block.
   *
   * @throws QueueFullException when the queue is full
   * @throws IllegalArgumentException when the prompt and max_tokens do not fit the context
   */
  public CompletableFuture<GenerationJob.Outcome> submit(
      Prompt prompt, Options options, Generator.Listener listener, BooleanSupplier cancelled)
      throws QueueFullException {
    checkPrompt(prompt);
    // In longs: a max_tokens near Integer.MAX_VALUE must not wrap round to fit.
    if ((long) prompt.tokens().length + options.maxTokens() > model.contextLength()) {
      throw new IllegalArgumentException(
          "the prompt ("
              + prompt.tokens().length
              + " tokens) and max_tokens ("
              + options.maxTokens()
              + ") exceed the context of "
              + model.contextLength()
              + " tokens");
    }
    long seed = options.seed() == null ? System.nanoTime() : options.seed();
    SamplerSettings sampler =
        new SamplerSettings(options.temperature(), 0, options.topP(), 0f, 1f, 64, seed);
    GenerationRequest request =
        new GenerationRequest(
            prompt.tokens(), options.maxTokens(), sampler, prompt.stopTokens(), options.stop(), 0);
    long now = System.nanoTime();
    long deadline =
        options.timeout() == null || options.timeout().isZero()
            ? 0
            : now + options.timeout().toNanos();
    CompletableFuture<GenerationJob.Outcome> result = new CompletableFuture<>();
    queue.admit(new GenerationJob(request, listener, cancelled, deadline, now, result));
    return result;
  }

  /**
   * The model behind {@link dev.cromwell.edit.EditService} here. One edit's answer at a time is
   * decoded as parted work ({@link #speculatingAnswer}), a pass at a time between the running jobs'
   * steps, speculating by prompt lookup where that pays ({@link Speculation#auto}) as the command
   * line's edits do; while one is, the others' answers are jobs in the queue that decode with the
   * batch (so an edit never waits for another's whole answer). Either way the answer holds a place
   * in the queue (a full queue refuses it) and ends at the request's {@code timeout}, counted from
   * admission, with the text so far; one that had not started by then throws {@link OutOfTime}.
   */
  public EditModel editModel(Duration timeout) {
    return new EditModel() {

      @Override
      public String generate(
          String prompt,
          int maxTokens,
          List<String> stopStrings,
          BooleanSupplier cancelled,
          java.util.function.Predicate<String> enough) {
        EarlyStop early = new EarlyStop(enough);
        Prompt p = new Prompt(PromptTokens.ofMarkedText(model.tokenizer(), prompt), Set.of());
        int limit = Math.max(1, Math.min(maxTokens, room(p) - 1));
        try {
          if (speculating.compareAndSet(false, true)) {
            try {
              return early.answer(
                  speculatingAnswer(p, limit, stopStrings, timeout, cancelled, early));
            } finally {
              speculating.set(false);
            }
          }
          BooleanSupplier stop = () -> cancelled.getAsBoolean() || early.reached();
          Options greedy = new Options(limit, 0f, 1f, stopStrings, 0L, timeout);
          return early.answer(submit(p, greedy, early, stop).get().result().text());
        } catch (QueueFullException e) {
          throw new QueueFull(e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
          if (e.getCause() instanceof java.util.concurrent.TimeoutException t) {
            throw new OutOfTime(t.getMessage());
          }
          throw JobFailure.of(e);
        }
      }

      /**
       * The prompt's head goes first through the queue as a one-token job, like any prompt: it
       * waits its turn, is refused when the queue is full (as the edit's generation would be),
       * keeps the request's timeout, and shares the model chunk by chunk with running jobs. Only
       * then is the selection scored, a pass at a time between steps (sharing the model with
       * running jobs as a prompt does), in the session that holds the head (the one sharing most
       * with it), so the passes compute the selection alone; the edit's generation then picks the
       * same session. Past the timeout the scoring stops and the fix is asked without scores.
       */
      @Override
      public LineScores lineScores(String context, String text, BooleanSupplier cancelled) {
        // As generation prompts are tokenized here (BOS first where the model wants one).
        Prompt head = new Prompt(PromptTokens.ofMarkedText(model.tokenizer(), context), Set.of());
        boolean bos = model.tokenizer().vocabulary().addBos();
        boolean timed = timeout != null && !timeout.isZero();
        long deadline = System.nanoTime() + (timed ? timeout.toNanos() : 0);
        BooleanSupplier stop =
            () -> cancelled.getAsBoolean() || (timed && System.nanoTime() - deadline > 0);
        Optional<LineLikelihood.Scoring> scoring = LineLikelihood.start(model, bos, context, text);
        if (scoring.isEmpty() || head.tokens().length >= model.contextLength()) {
          return LineScores.none();
        }
        try {
          if (!admit(head, timeout, cancelled)) {
            return LineScores.none();
          }
        } catch (QueueFullException e) {
          throw new QueueFull(e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return LineScores.none();
        } catch (ExecutionException | java.util.concurrent.CancellationException e) {
          // Scores only point the fix at a line: without them it is asked as before (a timeout
          // or a cancellation then ends the edit's own generation as it would have).
          return LineScores.none();
        }
        try {
          return new SchedulerPasses(scheduler)
              .run(scoring.get().tokens(), session -> scoring.get().next(session, stop));
        } catch (RuntimeException e) {
          // As above: the scoring stopped (the model unloaded, the caller interrupted) or failed.
          return LineScores.none();
        }
      }

      @Override
      public FimFormat fimFormat() {
        return fim;
      }

      /** A batched job in the queue, as a completion with a suffix is. */
      @Override
      public String fill(
          List<FimFormat.Part> parts,
          int maxTokens,
          List<String> stopStrings,
          BooleanSupplier cancelled) {
        Prompt p = new Prompt(PromptTokens.of(model.tokenizer(), parts), fimStops);
        int limit = Math.max(1, Math.min(maxTokens, room(p) - 1));
        try {
          GenerationJob.Outcome outcome =
              submit(
                      p,
                      new Options(limit, 0f, 1f, stopStrings, 0L, timeout),
                      piece -> {},
                      cancelled)
                  .get();
          return outcome.result().stopReason().endedByModel() ? outcome.result().text() : null;
        } catch (QueueFullException | ExecutionException e) {
          return null; // no fill: the fix goes on to its second look
        } catch (java.util.concurrent.CancellationException e) {
          return null;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return null;
        }
      }

      @Override
      public String chatTemplate() {
        return model.file().string("tokenizer.chat_template").orElse(null);
      }

      @Override
      public ChatFormat chatFormat() {
        return chatTemplate() == null ? null : chat;
      }

      @Override
      public int countTokens(String text) {
        return model.tokenizer().encode(text, false).length;
      }
    };
  }

  // Whether an edit's answer is being decoded as parted work (one at a time: see editModel).
  private final java.util.concurrent.atomic.AtomicBoolean speculating =
      new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * An edit's answer as parted work ({@link SchedulerPasses#generate}), its prompt included (a
   * chunk a part, sharing the model as a joining job's prompt does), holding a place in the queue
   * while it runs; ended by {@code timeout} (from now) or {@code cancelled} with the text so far,
   * and by the model's unloading with none.
   */
  private String speculatingAnswer(
      Prompt prompt,
      int limit,
      List<String> stopStrings,
      Duration timeout,
      BooleanSupplier cancelled,
      EarlyStop early)
      throws QueueFullException {
    long start = System.nanoTime();
    boolean timed = timeout != null && !timeout.isZero();
    long deadline = start + (timed ? timeout.toNanos() : 0);
    BooleanSupplier stop =
        () ->
            cancelled.getAsBoolean()
                || early.reached()
                || (timed && System.nanoTime() - deadline > 0);
    queue.reserve();
    try {
      GenerationRequest request =
          new GenerationRequest(
              prompt.tokens(), limit, SamplerSettings.greedy(), Set.of(), stopStrings, 0);
      return new SchedulerPasses(scheduler, timed ? deadline : 0)
          .generate(request, early, stop, Speculation.auto(request, model.config()))
          .text();
    } catch (java.util.concurrent.CancellationException e) {
      if (timed && System.nanoTime() - deadline > 0) {
        throw new OutOfTime("the edit's answer waited past its timeout without starting");
      }
      return ""; // the model was unloaded
    } finally {
      queue.finished((System.nanoTime() - start) / 1e9);
    }
  }

  /**
   * Sends {@code prompt} through the queue as a one-token job, as any prompt goes: it waits its
   * turn, is refused when the queue is full, keeps the request's {@code timeout} and shares the
   * model chunk by chunk with running jobs; a prefix-reuse session then holds it, for the parted
   * scoring that follows. False when the timeout or {@code cancelled} ended it first.
   */
  private boolean admit(Prompt prompt, Duration timeout, BooleanSupplier cancelled)
      throws QueueFullException, InterruptedException, ExecutionException {
    Options one = new Options(1, 0f, 1f, List.of(), 0L, timeout);
    GenerationJob.Outcome outcome = submit(prompt, one, piece -> {}, cancelled).get();
    return !outcome.timedOut() && outcome.result().stopReason() != StopReason.CANCELLED;
  }

  /** A full queue met inside an edit (EditModel cannot throw checked exceptions). */
  public static final class QueueFull extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public QueueFull(QueueFullException cause) {
      super(cause.getMessage(), cause);
    }

    public QueueFullException queueFull() {
      return (QueueFullException) getCause();
    }
  }

  @Override
  public void close() {
    scheduler.close();
  }
}
