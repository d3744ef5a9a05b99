package dev.cromwell.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.engine.generate.Cancellation;
import dev.cromwell.engine.generate.GenerationRequest;
import dev.cromwell.engine.generate.GenerationResult;
import dev.cromwell.engine.generate.Generator;
import dev.cromwell.engine.generate.SamplerSettings;
import dev.cromwell.engine.generate.StopReason;
import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.model.Session;
import dev.cromwell.testing.RealModels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The batching scheduler on the real SmolLM2, through {@link GenerationService} and its queue. */
class BatchingSchedulerTest {
  private static final GenerationService.Options GREEDY_20 =
      new GenerationService.Options(20, 0f, 1f, List.of(), 0L, Duration.ofMinutes(5));

  @Test
  void aJobCancelledAtItsThirdTokenStopsThereWhileItsBatchGoesOn() throws Exception {
    try (Model model = Model.load(RealModels.smollm2(), new Model.Options(2, 2048));
        GenerationService service = new GenerationService(model, "smollm2", 8, 4)) {
      String[] prompts = {"The quick brown fox", "def add(a, b):", "Once upon a time"};
      List<String> alone = new ArrayList<>();
      for (String p : prompts) {
        alone.add(alone(service, p).text());
      }

      Cancellation cancel = new Cancellation();
      AtomicInteger seen = new AtomicInteger();
      List<CompletableFuture<GenerationJob.Outcome>> jobs = new ArrayList<>();
      for (int i = 0; i < prompts.length; i++) {
        boolean victim = i == 1;
        Generator.Listener listener =
            onEachToken(
                () -> {
                  if (victim && seen.incrementAndGet() == 3) {
                    cancel.cancel(); // on the model thread, between two tokens
                  }
                });
        jobs.add(
            service.submit(
                service.completionPrompt(prompts[i], null),
                GREEDY_20,
                listener,
                victim ? cancel : () -> false));
      }
      GenerationResult cancelled = jobs.get(1).get().result();
      assertEquals(StopReason.CANCELLED, cancelled.stopReason());
      assertEquals(3, cancelled.tokens().length, "no token after the one that cancelled");
      assertEquals(alone.get(0), jobs.get(0).get().result().text());
      assertEquals(alone.get(2), jobs.get(2).get().result().text());
      assertTrue(service.scheduler().peak() >= 2, "the jobs decoded together");
      assertEquals(0, service.queue().depth());
    }
  }

  @Test
  void jobsSharingASessionTakeTurnsAndTasksRunOnTheSchedulersThread() throws Exception {
    try (Model model = Model.load(RealModels.smollm2(), new Model.Options(2, 2048));
        GenerationService service = new GenerationService(model, "smollm2", 8, 4)) {
      String prompt = "def add(a, b):";
      String alone = alone(service, prompt).text();
      Session own = model.newSession();
      GenerationRequest request =
          GenerationRequest.of(
              service.completionPrompt(prompt, null).tokens(), 20, SamplerSettings.greedy());
      List<CompletableFuture<GenerationJob.Outcome>> jobs = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        CompletableFuture<GenerationJob.Outcome> done = new CompletableFuture<>();
        service
            .queue()
            .admit(
                new GenerationJob(
                    request, piece -> {}, () -> false, 0, System.nanoTime(), done, own));
        jobs.add(done);
      }
      CompletableFuture<String> task =
          service.scheduler().runAlone(() -> Thread.currentThread().getName());
      assertEquals(alone, jobs.get(0).get().result().text(), "the first job in the session");
      assertEquals(alone, jobs.get(1).get().result().text(), "the second, after the first left");
      assertEquals(1, service.scheduler().peak(), "two jobs of one session never decode together");
      assertEquals("cromwell-model", task.get(), "the task ran where the steps run");
    }
  }

  @Test
  void aLongPromptJoinsChunkByChunkWhileTheBatchDecodesAndAnswersAsAlone() throws Exception {
    try (Model model = Model.load(RealModels.smollm2(), new Model.Options(2, 2048))) {
      // About 600 tokens: ten chunks of 64 for the joining job's prompt.
      String longPrompt =
          IntStream.range(0, 30)
              .mapToObj(i -> "def f%d(x):\n    return x + %d\n\n".formatted(i, i))
              .collect(Collectors.joining());
      String joined;
      int runnerTokensDuringJoin;
      CompletableFuture<GenerationJob.Outcome> runner;
      try (GenerationService service = new GenerationService(model, "smollm2", 8, 4)) {
        AtomicInteger runnerTokens = new AtomicInteger();
        // Long enough to still decode when the joining job's first token comes.
        runner = startRunner(service, runnerTokens);
        // Tokenized first: the runner's tokens while this thread tokenizes would count otherwise.
        GenerationService.Prompt joinerPrompt = service.completionPrompt(longPrompt, null);
        int atSubmit = runnerTokens.get();
        AtomicInteger atFirstToken = new AtomicInteger(-1);
        CompletableFuture<GenerationJob.Outcome> joiner =
            service.submit(
                joinerPrompt,
                GREEDY_20,
                onEachToken(() -> atFirstToken.compareAndSet(-1, runnerTokens.get())),
                () -> false);
        joined = joiner.get().result().text();
        runnerTokensDuringJoin = atFirstToken.get() - atSubmit;
        // Closing the service cancels the rest of its 400 tokens, which nothing here needs.
        assertFalse(runner.isDone(), "the runner was still decoding (the test measured it)");
      }
      assertEquals(
          StopReason.CANCELLED,
          runner.get(1, TimeUnit.MINUTES).result().stopReason(),
          "the runner decoded beside the join without failing, until the service closed");
      // Half the time each: a chunk of 64 tokens costs about ten of SmolLM2's steps, so the runner
      // decodes several tokens per chunk of the long prompt (its last four chunks, counted as a
      // short prompt, run at every step), where a chunk after every step gave it one.
      assertTrue(
          runnerTokensDuringJoin >= 25,
          "the running job decoded beside the joining prompt's ten chunks, got "
              + runnerTokensDuringJoin
              + " tokens");
      try (GenerationService fresh = new GenerationService(model, "smollm2", 8, 4)) {
        assertEquals(alone(fresh, longPrompt).text(), joined, "a prompt fed by chunks, as alone");
      }
    }
  }

  @Test
  void partedWorkKeepsItsSessionAndSharesTheModelWithARunningJob() throws Exception {
    try (Model model = Model.load(RealModels.smollm2(), new Model.Options(2, 2048));
        GenerationService service = new GenerationService(model, "smollm2", 8, 4)) {
      AtomicInteger runnerTokens = new AtomicInteger();
      CompletableFuture<GenerationJob.Outcome> runner = startRunner(service, runnerTokens);
      // Five parts, each a 60 ms pass (a few of SmolLM2's steps) that adds one token to the
      // session; between two the runner must get as long, so it decodes between every two. After
      // the second, a job comes whose prompt starts with all the work's session holds: the
      // session that shares most with it, which it must not take while the work goes on.
      int[] prompt = {1, 2, 3};
      int[] rival = {1, 2, 3, 101, 102, 7, 8, 9};
      List<Integer> runnerAtPart = new ArrayList<>();
      List<CompletableFuture<GenerationJob.Outcome>> rivals = new ArrayList<>();
      CompletableFuture<int[]> work =
          service
              .scheduler()
              .runInSessionByParts(
                  prompt,
                  session -> {
                    runnerAtPart.add(runnerTokens.get());
                    int part = runnerAtPart.size();
                    if (part == 1) {
                      session.prefill(prompt, () -> false);
                    }
                    session.next(100 + part);
                    if (part == 2) {
                      GenerationRequest request =
                          GenerationRequest.of(rival, 5, SamplerSettings.greedy());
                      CompletableFuture<GenerationJob.Outcome> done = new CompletableFuture<>();
                      try {
                        service
                            .queue()
                            .admit(
                                new GenerationJob(
                                    request,
                                    piece -> {},
                                    () -> false,
                                    0,
                                    System.nanoTime(),
                                    done,
                                    null));
                      } catch (QueueFullException e) {
                        throw new IllegalStateException(e);
                      }
                      rivals.add(done);
                    }
                    sleep(60);
                    return part == 5 ? Optional.of(session.tokens()) : Optional.empty();
                  });
      assertArrayEquals(
          new int[] {1, 2, 3, 101, 102, 103, 104, 105},
          work.get(2, TimeUnit.MINUTES),
          "the session held the work's tokens from part to part");
      // It ran beside the work (a job that failed would throw here).
      rivals.getFirst().get(2, TimeUnit.MINUTES);
      for (int part = 1; part < 5; part++) {
        assertTrue(
            runnerAtPart.get(part) > runnerAtPart.get(part - 1),
            "the runner decoded between parts "
                + part
                + " and "
                + (part + 1)
                + ": "
                + runnerAtPart);
      }
      assertFalse(runner.isDone(), "the runner was still decoding (the test measured it)");
    }
  }

  @Test
  void partedWorkWhoseCallerGaveUpIsDropped() throws Exception {
    try (Model model = Model.load(RealModels.smollm2(), new Model.Options(2, 2048));
        GenerationService service = new GenerationService(model, "smollm2", 8, 4)) {
      AtomicInteger parts = new AtomicInteger();
      CompletableFuture<Object> endless =
          service
              .scheduler()
              .runInSessionByParts(
                  new int[] {1},
                  session -> {
                    parts.incrementAndGet();
                    return Optional.empty();
                  });
      long waitUntil = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
      while (parts.get() == 0 && System.nanoTime() < waitUntil) {
        Thread.sleep(5);
      }
      assertTrue(parts.get() > 0, "the work ran");
      endless.cancel(false);
      // A task runs at the start of a turn, before that turn's part: after it, no part runs.
      service.scheduler().runAlone(() -> null).get(1, TimeUnit.MINUTES);
      int after = parts.get();
      Thread.sleep(100);
      service.scheduler().runAlone(() -> null).get(1, TimeUnit.MINUTES);
      assertEquals(after, parts.get(), "no part after the caller gave up");
    }
  }

  @Test
  void partedWorkLeftWhenTheSchedulerClosesIsCancelled() throws Exception {
    CompletableFuture<Object> endless;
    try (Model model = Model.load(RealModels.smollm2(), new Model.Options(2, 2048));
        GenerationService service = new GenerationService(model, "smollm2", 8, 4)) {
      endless = service.scheduler().runInSessionByParts(new int[] {1}, session -> Optional.empty());
      Thread.sleep(100);
      assertFalse(endless.isDone(), "its parts go on until it says it is done");
    }
    // A future completed with a CancellationException throws it as it is.
    assertThrows(CancellationException.class, () -> endless.get(1, TimeUnit.MINUTES));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Starts a job that decodes 400 tokens of counting, each counted in {@code tokens}, and returns
   * once it has decoded two.
   */
  private static CompletableFuture<GenerationJob.Outcome> startRunner(
      GenerationService service, AtomicInteger tokens) throws Exception {
    GenerationService.Options long400 =
        new GenerationService.Options(400, 0f, 1f, List.of(), 0L, Duration.ofMinutes(5));
    CompletableFuture<Void> started = new CompletableFuture<>();
    CompletableFuture<GenerationJob.Outcome> runner =
        service.submit(
            service.completionPrompt("1, 2, 3, 4, 5,", null),
            long400,
            onEachToken(
                () -> {
                  if (tokens.incrementAndGet() == 2) {
                    started.complete(null);
                  }
                }),
            () -> false);
    started.get(2, TimeUnit.MINUTES);
    return runner;
  }

  /** A listener that runs {@code action} at every sampled token, on the model thread. */
  private static Generator.Listener onEachToken(Runnable action) {
    return new Generator.Listener() {
      @Override
      public void onText(String piece) {}

      @Override
      public void onToken(int token) {
        action.run();
      }
    };
  }

  private static GenerationResult alone(GenerationService service, String prompt) throws Exception {
    return service
        .submit(service.completionPrompt(prompt, null), GREEDY_20, piece -> {}, () -> false)
        .get()
        .result();
  }
}
