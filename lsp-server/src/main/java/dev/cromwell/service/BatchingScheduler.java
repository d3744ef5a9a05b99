package dev.cromwell.service;

import dev.cromwell.engine.generate.GenerationResult;
import dev.cromwell.engine.generate.GenerationRun;
import dev.cromwell.engine.generate.StopReason;
import dev.cromwell.engine.model.DecodeBatch;
import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.model.Session;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs the queue's jobs on one platform thread, decoding up to {@code batch} of them together: each
 * step feeds one token of every running job through the model in one pass over the weights ({@link
 * DecodeBatch}). Between steps, jobs that ended leave and waiting jobs join: a joining job's prompt
 * is prefilled one chunk ({@link Model#prefillChunk()} tokens) at a time, one joining job at a time
 * (the one with the least prompt left), so a short prompt does not wait for a long one; while jobs
 * decode, a long prompt gets a chunk only once they have decoded as long as its last chunk took, so
 * both go on at about half speed; then it decodes with the others. Each job's sampling and stop
 * rules are its own {@link GenerationRun}, checked before every token, so cancellation and timeouts
 * take effect at the next step. With {@code batch} 1 it runs one job at a time. Each job gets the
 * {@link PrefixSessions} session that shares most of its prompt among those no running job (and no
 * parted work) holds, or decodes in the session it brought (an editor document's); a job whose
 * session a running job still holds waits until that one has left.
 *
 * <p>Its thread is the only one that runs passes on the model: other uses of the model (an edit's
 * scoring of its selection and its answer, in the editor server and one at a time in {@code serve}:
 * {@link SchedulerPasses}) are given to {@link #runInSessionByParts}, which runs them a part (a
 * pass) at a time, and short ones to {@link #runAlone}, which runs them between two steps. While a
 * long prompt and parted work both wait for decoding jobs, each takes its turn, so the decoding
 * jobs get about a third of the model.
 */
public final class BatchingScheduler implements AutoCloseable {
  /** A running job: its session, its rules and the token it feeds next. */
  private static final class Slot {
    final GenerationJob job;
    final Session session;
    final GenerationRun run;
    final long started;
    int token;
    // The prompt tokens the session held when the job started (-1 until its first part ran).
    int reused = -1;
    // Chunks given to later joining jobs with less prompt left while this one waited.
    int overtaken;
    // How its prompt's chunks share the model with the batch (a long prompt's; see mayRun).
    final ModelShare share = new ModelShare();

    Slot(GenerationJob job, Session session, GenerationRun run, long started) {
      this.job = job;
      this.session = session;
      this.run = run;
      this.started = started;
    }

    /** Prompt tokens still to compute: what the session does not hold yet. */
    int promptLeft() {
      int[] prompt = job.request().prompt();
      return prompt.length - session.reusable(prompt);
    }
  }

  /**
   * How a long prompt's chunks or parted work's parts share the model with decoding jobs: the next
   * one is due while nothing decodes, or once the batch has decoded since the last one for as long
   * as that one took, so both go on at about half speed.
   */
  private static final class ModelShare {
    private long lastNanos;
    private long decodedSince;

    boolean due(boolean decoding) {
      return !decoding || decodedSince >= lastNanos;
    }

    void ran(long nanos) {
      lastNanos = nanos;
      decodedSince = 0;
    }

    void decoded(long stepNanos) {
      decodedSince += stepNanos;
    }
  }

  /**
   * Parted work under way: its session (given when it becomes the earliest, so that only one holds
   * a session), its result, and how its last part shared the model.
   */
  private static final class Parted<T> {
    final int[] prompt;
    final PartedWork<T> work;
    final CompletableFuture<T> result;
    Session session;
    final ModelShare share = new ModelShare();

    Parted(int[] prompt, PartedWork<T> work, CompletableFuture<T> result) {
      this.prompt = prompt;
      this.work = work;
      this.result = result;
    }

    /** Runs one part: true once the work has ended, done or failed. */
    boolean runPart() {
      long t0 = System.nanoTime();
      try {
        Optional<T> done = work.next(session);
        done.ifPresent(result::complete);
        return done.isPresent();
      } catch (RuntimeException | Error e) {
        result.completeExceptionally(e);
        return true;
      } finally {
        share.ran(System.nanoTime() - t0);
      }
    }
  }

  /** Sessions of the batched warm-up step: as many rows as a full batch of the 0.5B's serve. */
  private static final int WARM_UP_ROWS = 8;

  /**
   * Steps of the warm-up: each runs every matrix's batched kernel once per layer, so six steps call
   * each of its loops several hundred times (an 8-row step of the 0.5B: 0.1–0.3 s).
   */
  private static final int WARM_UP_STEPS = 6;

  private final Model model;
  private final GenerationQueue queue;
  private final PrefixSessions sessions;
  private final DecodeBatch decode;
  private final List<Slot> running = new ArrayList<>();
  // Started jobs whose prompt is not all in their session yet, in the order they came (the one
  // with the least prompt left is prefilled first: nextToPrefill).
  private final List<Slot> joining = new ArrayList<>();
  // Jobs whose own session a running job still holds (the same document's superseded request).
  private final List<GenerationJob> deferred = new ArrayList<>();
  // runInSessionByParts's work under way, one part at a time, the earliest first.
  private final List<Parted<?>> parted = new ArrayList<>();
  // Work for the scheduler's thread between steps; null once it has stopped taking any.
  private Queue<Runnable> tasks = new ArrayDeque<>();
  private final Thread thread;
  private volatile boolean closing;
  private volatile long cacheBytes;
  private volatile int decoding;
  private volatile int peak;

  /**
   * @param batch the most jobs decoding together
   * @param spareSessions sessions kept beyond {@code batch} for prompt-prefix reuse
   */
  public BatchingScheduler(Model model, GenerationQueue queue, int batch, int spareSessions) {
    this(model, queue, batch, spareSessions, true);
  }

  /**
   * @param warmUp whether to run the batched kernels before the first job ({@link
   *     #warmUpBatchedStep}); not for a model an earlier scheduler in this process warmed already
   *     (the daemon's cached model), whose kernels are compiled
   */
  public BatchingScheduler(
      Model model, GenerationQueue queue, int batch, int spareSessions, boolean warmUp) {
    this.model = model;
    this.queue = queue;
    this.decode = new DecodeBatch(model, batch);
    // One more than the jobs and the spares: the session of the parted work under way.
    this.sessions = new PrefixSessions(model, batch + Math.max(0, spareSessions) + 1);
    if (warmUp) {
      warmUpBatchedStep();
    }
    this.thread = Thread.ofPlatform().name("cromwell-model").daemon().unstarted(this::loop);
    thread.start();
  }

  /** The most jobs decoding together. */
  public int batch() {
    return decode.capacity();
  }

  /** The prompt tokens one turn of the loop computes for a joining job: a prefill chunk. */
  public int promptChunk() {
    return model.prefillChunk();
  }

  /**
   * Computes {@code task} on the scheduler's thread between two decode steps, so it may use the
   * model while no step runs; the batch waits for it. Fails with {@link CancellationException} once
   * the scheduler is closed.
   */
  public <T> CompletableFuture<T> runAlone(Supplier<T> task) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Runnable run =
        () -> {
          try {
            result.complete(task.get());
          } catch (RuntimeException | Error e) {
            result.completeExceptionally(e);
          }
        };
    synchronized (this) {
      if (tasks == null) {
        result.completeExceptionally(new CancellationException("the model was unloaded"));
        return result;
      }
      tasks.add(run);
    }
    queue.wake();
    return result;
  }

  /**
   * Runs {@code work} part by part on the scheduler's thread, after earlier parted work, in the
   * free prefix-reuse session whose tokens share most with {@code prompt} when it starts, which no
   * job takes until the work ends: what it leaves there is for the next job whose prompt starts the
   * same (an edit's scoring pass, then its generation). Parts share the model as a long prompt's
   * chunks do ({@link #mayRun}): while jobs decode, the next part waits until they have decoded as
   * long as the last part took. Fails with {@link CancellationException} once the scheduler is
   * closed.
   */
  public <T> CompletableFuture<T> runInSessionByParts(int[] prompt, PartedWork<T> work) {
    if (Thread.currentThread() == thread) {
      // Its parts would run on this thread, which would wait for them instead.
      throw new IllegalStateException("parted work cannot be waited for on the scheduler's thread");
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    runAlone(
            () -> {
              if (closing) {
                throw new CancellationException("the model was unloaded");
              }
              return parted.add(new Parted<>(prompt.clone(), work, result));
            })
        .whenComplete(
            (added, e) -> {
              if (e != null) {
                result.completeExceptionally(e);
              }
            });
    return result;
  }

  private Set<Session> busySessions() {
    return Stream.concat(
            Stream.concat(running.stream(), joining.stream()).map(s -> s.session),
            parted.stream().map(p -> p.session).filter(Objects::nonNull))
        .collect(Collectors.toSet());
  }

  private void loop() {
    try {
      while (!closing || !running.isEmpty() || !joining.isEmpty()) {
        runTasks();
        if (!closing) {
          admit();
          endGoneWaiting();
        }
        dropStoppedJoining();
        Slot next = joining.isEmpty() ? null : nextToPrefill();
        if (next != null) {
          prefill(next);
        }
        runPart();
        if (!running.isEmpty()) {
          long t0 = System.nanoTime();
          step();
          long stepNanos = System.nanoTime() - t0;
          for (Slot slot : joining) {
            slot.share.decoded(stepNanos);
          }
          for (Parted<?> work : parted) {
            work.share.decoded(stepNanos);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      drain();
    }
  }

  /**
   * A few throw-away steps of up to {@link #WARM_UP_ROWS} one-token sessions before the first job,
   * so that the first requests decoded together do not run the batched kernels interpreted: the
   * one-token kernels are warmed by any lone request, but a batched step has kernels of its own
   * ({@code Transformer.forwardRows} through the batched {@code MatMul}). It runs in the
   * constructor, while the model loads, before any job can wait for it (on the scheduler's thread,
   * a request with a short timeout timed out in the queue behind it); {@code
   * -Dcromwell.warmup=false} skips it, as it does the editor's warm-up.
   */
  private void warmUpBatchedStep() {
    int rows = Math.min(decode.capacity(), WARM_UP_ROWS);
    if (rows < 2 || !Boolean.parseBoolean(System.getProperty("cromwell.warmup", "true"))) {
      return;
    }
    List<Session> warm = new ArrayList<>();
    int[] next = new int[rows];
    for (int i = 0; i < rows; i++) {
      Session s = model.newSession();
      s.prefill(new int[] {i}, () -> false);
      warm.add(s);
      next[i] = rows - i;
    }
    // Full steps and steps of one session fewer by turns: MatMul has a loop for whole groups of
    // four tokens and one for the 1-3 left over (8 and 7 rows: both), and each must be compiled
    // before requests meet it. Steps of up to three sessions go through the one-token kernels,
    // which every single decode warms.
    for (int step = 0; step < WARM_UP_STEPS; step++) {
      decode.step(warm.subList(0, step % 2 == 0 ? rows : Math.max(1, rows - 1)), next);
    }
  }

  /**
   * One part of the earliest parted work, when it may run: while nothing decodes, or once the batch
   * has decoded since its last part for as long as that part took (as a long prompt's chunk). Work
   * whose caller gave up on it (its future cancelled) is dropped; once closing, none runs (what is
   * left is cancelled when the thread stops).
   */
  private void runPart() {
    while (!parted.isEmpty() && parted.getFirst().result.isDone()) {
      parted.removeFirst();
    }
    if (parted.isEmpty() || closing) {
      return;
    }
    Parted<?> earliest = parted.getFirst();
    if (earliest.session == null) {
      earliest.session = sessions.forPrompt(earliest.prompt, busySessions());
    }
    if (earliest.share.due(!running.isEmpty()) && earliest.runPart()) {
      parted.removeFirst();
    }
  }

  private void runTasks() {
    while (true) {
      Runnable task;
      synchronized (this) {
        task = tasks.poll();
      }
      if (task == null) {
        return;
      }
      task.run();
    }
  }

  /** Once stopped: tasks left still run (they may be waited on), jobs left are cancelled. */
  private void drain() {
    Queue<Runnable> left;
    synchronized (this) {
      left = tasks;
      tasks = null;
    }
    left.forEach(Runnable::run);
    for (Parted<?> work : parted) {
      work.result.completeExceptionally(new CancellationException("the model was unloaded"));
    }
    parted.clear();
    List<GenerationJob> unstarted = new ArrayList<>(deferred);
    deferred.clear();
    unstarted.addAll(queue.close());
    for (GenerationJob job : unstarted) {
      queue.dropped();
      job.result().cancel(false);
    }
  }

  /** Starts waiting jobs while there is room; waits a little for one when nothing runs. */
  private void admit() throws InterruptedException {
    for (Iterator<GenerationJob> it = deferred.iterator();
        it.hasNext() && started() < decode.capacity(); ) {
      GenerationJob job = it.next();
      if (job.cancelled().getAsBoolean() || !held(job.session())) {
        it.remove();
        start(job);
      }
    }
    while (started() < decode.capacity()) {
      boolean idle = started() == 0 && deferred.isEmpty() && parted.isEmpty();
      GenerationJob job = idle ? queue.take(200) : queue.poll();
      if (job == null) {
        return;
      }
      if (job.session() != null && held(job.session())) {
        deferred.add(job);
      } else {
        start(job);
      }
    }
  }

  /** Jobs started and not ended: decoding, or prefilling their prompt to join. */
  private int started() {
    return running.size() + joining.size();
  }

  /** Whether a started job decodes or prefills in {@code session}. */
  private boolean held(Session session) {
    return heldBy(running, session) || heldBy(joining, session);
  }

  private static boolean heldBy(List<Slot> slots, Session session) {
    for (Slot slot : slots) {
      if (slot.session == session) {
        return true;
      }
    }
    return false;
  }

  /**
   * Ends the waiting jobs whose caller gave up or whose timeout passed, now rather than when a slot
   * frees: behind long jobs, a request that timed out would otherwise hear so only once one ended
   * (a 2 s timeout answered after 30 s), and a client that hung up would hold its queue place.
   */
  private void endGoneWaiting() {
    long now = System.nanoTime();
    for (GenerationJob job : queue.removeWaiting(job -> gone(job, now))) {
      endUnstarted(job);
    }
    for (Iterator<GenerationJob> it = deferred.iterator(); it.hasNext(); ) {
      GenerationJob job = it.next();
      if (gone(job, now)) {
        it.remove();
        endUnstarted(job);
      }
    }
  }

  /**
   * Whether a job's caller gave up or its timeout passed. A cancellation check that throws counts
   * as gone (the job then fails with what it threw), so that no caller's code can stop this thread
   * or break the queue's sweep part way.
   */
  private static boolean gone(GenerationJob job, long now) {
    try {
      return job.cancelled().getAsBoolean() || job.expired(now);
    } catch (RuntimeException e) {
      return true;
    }
  }

  /**
   * Ends a job that never started: cancelled, timed out waiting, or failed its cancellation check.
   * Its place is given back first, so that a caller answered at once finds the queue without it.
   */
  private void endUnstarted(GenerationJob job) {
    RuntimeException failure = null;
    boolean cancelled = false;
    try {
      cancelled = job.cancelled().getAsBoolean();
    } catch (RuntimeException e) {
      failure = e;
    }
    queue.dropped();
    if (failure != null) {
      job.result().completeExceptionally(failure);
    } else if (cancelled) {
      job.result().cancel(false);
    } else {
      job.result()
          .completeExceptionally(
              new TimeoutException("the request waited in the queue past its timeout"));
    }
  }

  /** Gives a job its session; its prompt is prefilled by {@link #prefill}. */
  private void start(GenerationJob job) {
    long started = System.nanoTime();
    try {
      if (gone(job, started)) {
        endUnstarted(job);
        return;
      }
      BooleanSupplier stop =
          () -> closing || job.cancelled().getAsBoolean() || job.expired(System.nanoTime());
      GenerationRun run = new GenerationRun(model, job.request(), job.listener(), stop);
      Session session = job.session();
      if (session == null) {
        session = sessions.forPrompt(job.request().prompt(), busySessions());
      }
      joining.add(new Slot(job, session, run, started));
    } catch (RuntimeException | Error e) {
      fail(job, started, e);
    }
  }

  /** Joining jobs cancelled or out of time leave, wherever they wait. */
  private void dropStoppedJoining() {
    for (Iterator<Slot> it = joining.iterator(); it.hasNext(); ) {
      Slot slot = it.next();
      if (slot.run.promptStop().getAsBoolean()) {
        it.remove();
        complete(slot, slot.run.stoppedInPrompt(Math.max(0, slot.reused)));
      }
    }
  }

  /**
   * Most chunks of prompt left for a job to count as short: short prompts get a chunk at every turn
   * (as every prompt did before), so an editor's keystroke (its uncached part is capped near the
   * prompt rate times the time limit: one or two chunks) or a chat's next turn is not slowed.
   */
  static final int SHORT_PROMPT_CHUNKS = 4;

  private boolean isShort(Slot slot) {
    return slot.promptLeft() <= SHORT_PROMPT_CHUNKS * model.prefillChunk();
  }

  /**
   * Whether {@code slot} may run a chunk now: always while nothing decodes or while its prompt is
   * short; a long prompt only once the running jobs have decoded since its last chunk for as long
   * as that chunk took, so that it and they share the model half and half. (A chunk after every
   * step gave a long prompt nine tenths of it: a 64-token chunk of the 0.5B at 1,500 tokens of
   * context takes 0.35 s, a step 30 ms, and jobs decoding beside it slowed to 3 tokens a second.)
   */
  private boolean mayRun(Slot slot) {
    return isShort(slot) || slot.share.due(!running.isEmpty());
  }

  /**
   * Runs one chunk of {@code slot}'s prompt (from {@link #nextToPrefill}) and, once its prompt is
   * in, picks its first token: it then joins the batch unless already done. One chunk at a time
   * even while nothing decodes, so that a job that comes during a long prompt is admitted after the
   * chunk and, its prompt being shorter, runs its own before the rest of the long one: a short
   * request no longer waits for seconds of someone else's prompt.
   */
  private void prefill(Slot slot) {
    Slot earliest = joining.getFirst();
    earliest.overtaken = slot == earliest ? 0 : earliest.overtaken + 1;
    long t0 = System.nanoTime();
    try {
      prefillChunk(slot);
    } finally {
      slot.share.ran(System.nanoTime() - t0);
    }
  }

  private void prefillChunk(Slot slot) {
    Session session = slot.session;
    boolean firstPart = slot.reused < 0;
    try {
      float[] logits;
      try {
        logits =
            session.prefillPart(
                slot.job.request().prompt(), model.prefillChunk(), slot.run.promptStop());
      } catch (CancellationException e) {
        joining.remove(slot);
        complete(slot, slot.run.stoppedInPrompt(firstPart ? session.lastReused() : slot.reused));
        return;
      }
      if (firstPart) {
        slot.reused = session.lastReused();
      }
      if (logits == null) {
        return;
      }
      joining.remove(slot);
      slot.run.promptDone(slot.reused);
      slot.token = slot.run.next(logits, session.tokens());
      if (slot.token < 0) {
        complete(slot, slot.run.finish(0, 0));
      } else {
        running.add(slot);
      }
    } catch (RuntimeException | Error e) {
      joining.remove(slot);
      fail(slot.job, slot.started, e);
    }
  }

  /**
   * How many chunks the earliest joining job lets later ones with less prompt left have before it
   * gets one itself, so that a stream of short prompts slows a long one but never stops it.
   */
  static final int MAX_OVERTAKEN = 8;

  /**
   * The joining job to run a chunk of now, or null: the one with the fewest prompt tokens left to
   * compute (what its session does not hold: a chat's next turn or an editor document's next
   * keystroke counts only its new tokens), the earliest of equals; the earliest once it was
   * overtaken {@link #MAX_OVERTAKEN} times. Either only if it {@link #mayRun}; if the earliest may
   * not, a short one goes meanwhile.
   */
  private Slot nextToPrefill() {
    Slot least = leastPromptLeft();
    Slot earliest = joining.getFirst();
    Slot due = earliest.overtaken >= MAX_OVERTAKEN ? earliest : least;
    if (mayRun(due)) {
      return due;
    }
    return due != least && isShort(least) ? least : null;
  }

  private Slot leastPromptLeft() {
    Slot earliest = joining.getFirst();
    Slot least = earliest;
    int leastLeft = earliest.promptLeft();
    for (Slot slot : joining) {
      int left = slot.promptLeft();
      if (left < leastLeft) {
        least = slot;
        leastLeft = left;
      }
    }
    return least;
  }

  /** One token for every running job; those that end leave the batch. */
  private void step() {
    List<Session> batch = new ArrayList<>(running.size());
    int[] tokens = new int[running.size()];
    for (int i = 0; i < running.size(); i++) {
      batch.add(running.get(i).session);
      tokens[i] = running.get(i).token;
    }
    decoding = batch.size();
    peak = Math.max(peak, batch.size());
    float[][] logits;
    try {
      logits = decode.step(batch, tokens);
    } catch (RuntimeException | Error e) {
      for (Slot slot : running) {
        fail(slot.job, slot.started, e);
      }
      running.clear();
      return;
    }
    List<Slot> ended = new ArrayList<>();
    for (int i = 0; i < running.size(); i++) {
      Slot slot = running.get(i);
      try {
        slot.token = slot.run.next(logits[i], slot.session.tokens());
        if (slot.token < 0) {
          ended.add(slot);
          complete(slot, slot.run.finish(0, 0));
        }
      } catch (RuntimeException | Error e) {
        // A listener that threw, say: this job fails, the others go on.
        ended.add(slot);
        fail(slot.job, slot.started, e);
      }
    }
    running.removeAll(ended);
    decoding = running.size();
  }

  private void complete(Slot slot, GenerationResult result) {
    GenerationJob job = slot.job;
    boolean timedOut =
        result.stopReason() == StopReason.CANCELLED
            && !job.cancelled().getAsBoolean()
            && job.expired(System.nanoTime());
    cacheBytes = sessions.cacheBytes();
    queue.finished((System.nanoTime() - slot.started) / 1e9);
    job.result()
        .complete(new GenerationJob.Outcome(result, slot.started - job.admittedNanos(), timedOut));
  }

  private void fail(GenerationJob job, long started, Throwable e) {
    queue.finished((System.nanoTime() - started) / 1e9);
    job.result().completeExceptionally(e);
  }

  /** Jobs in the batch now. */
  public int decoding() {
    return decoding;
  }

  /** The most jobs one step has decoded together so far. */
  public int peak() {
    return peak;
  }

  /** Bytes held by the sessions' KV caches, as of the last finished job. */
  public long cacheBytes() {
    return cacheBytes;
  }

  /**
   * Stops: running jobs end at their next token (cancelled), waiting ones are cancelled unstarted,
   * tasks already given to {@link #runAlone} still run, parted work stops after its part under way
   * (cancelled); waits up to 5 s for the thread.
   */
  @Override
  public void close() {
    closing = true;
    queue.wake();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Whether this scheduler's thread has ended, so nothing it runs (a decode step, a part of parted
   * work, or a task given to {@link #runAlone}, which {@link #close} does not stop) can still read
   * the model.
   */
  public boolean ended() {
    return !thread.isAlive();
  }
}
