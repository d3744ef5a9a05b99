package dev.cromwell.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.cromwell.edit.TextEdits;
import dev.cromwell.engine.model.Model;
import dev.cromwell.protocol.PositionEncoding;
import dev.cromwell.protocol.TextDocument;
import dev.cromwell.service.GenerationService;
import dev.cromwell.service.ModelDirectory;
import dev.cromwell.testing.RealModels;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP API on the real SmolLM2, through a real HTTP client over a socket. */
class HttpApiTest {
  private static final String CHAT =
      "{\"messages\":[{\"role\":\"user\",\"content\":\"What is the capital of France?\"}],"
          + "\"max_tokens\":12,\"temperature\":0";

  private final HttpClient client = HttpClient.newHttpClient();
  private final List<AutoCloseable> open = new ArrayList<>();
  private String base;
  private GenerationService service;

  private void start(String key, int queue, long maxBody, Duration timeout) throws Exception {
    start(key, queue, maxBody, timeout, GenerationService.DEFAULT_BATCH);
  }

  private void start(String key, int queue, long maxBody, Duration timeout, int batch)
      throws Exception {
    Model model = Model.load(RealModels.smollm2(), new Model.Options(2, 2048));
    service = new GenerationService(model, "smollm2-135m-instruct", queue, batch);
    ModelDirectory models =
        new ModelDirectory(
            RealModels.store(),
            "smollm2-135m-instruct",
            RealModels.smollm2(),
            List.of("future-model"));
    HttpApi api =
        HttpApi.start(
            new HttpApi.Settings("127.0.0.1", 0, key, maxBody, timeout),
            service,
            models,
            System.err);
    open.add(model);
    open.add(service);
    open.add(api);
    base = "http://127.0.0.1:" + api.port();
  }

  private void start() throws Exception {
    start(null, 4, 1 << 20, Duration.ofMinutes(5));
  }

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private HttpResponse<String> post(String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET();
    if (headers.length > 0) {
      b.headers(headers);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject json(HttpResponse<String> r) {
    return JsonParser.parseString(r.body()).getAsJsonObject();
  }

  private static void assertError(HttpResponse<String> r, int status, String code) {
    assertEquals(status, r.statusCode(), r.body());
    JsonObject error = json(r).getAsJsonObject("error");
    assertNotNull(error, r.body());
    assertTrue(error.has("message") && error.has("type") && error.has("param"), r.body());
    if (code != null) {
      assertEquals(code, error.get("code").getAsString(), r.body());
    }
  }

  @Test
  void chatAnswersAndItsStreamSaysTheSameTokenByToken() throws Exception {
    start();
    HttpResponse<String> whole = post("/v1/chat/completions", CHAT + "}");
    assertEquals(200, whole.statusCode(), whole.body());
    JsonObject body = json(whole);
    assertEquals("chat.completion", body.get("object").getAsString());
    JsonObject choice = body.getAsJsonArray("choices").get(0).getAsJsonObject();
    String answer = choice.getAsJsonObject("message").get("content").getAsString();
    assertTrue(answer.contains("Paris"), answer);
    assertTrue(body.getAsJsonObject("usage").get("prompt_tokens").getAsInt() > 10);

    HttpResponse<InputStream> stream =
        client.send(
            HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        CHAT + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}"))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertEquals("text/event-stream", stream.headers().firstValue("Content-Type").orElse(""));
    StringBuilder streamed = new StringBuilder();
    List<String> events = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        if (line.startsWith("data: ")) {
          events.add(line.substring(6));
        }
      }
    }
    assertEquals("[DONE]", events.getLast());
    String finish = null;
    for (String e : events.subList(0, events.size() - 1)) {
      JsonObject chunk = JsonParser.parseString(e).getAsJsonObject();
      assertEquals("chat.completion.chunk", chunk.get("object").getAsString());
      JsonArray choices = chunk.getAsJsonArray("choices");
      if (choices.isEmpty()) {
        assertEquals(
            body.getAsJsonObject("usage").get("completion_tokens"),
            chunk.getAsJsonObject("usage").get("completion_tokens"));
        continue;
      }
      JsonObject delta = choices.get(0).getAsJsonObject().getAsJsonObject("delta");
      if (delta.has("content")) {
        streamed.append(delta.get("content").getAsString());
      }
      JsonElement f = choices.get(0).getAsJsonObject().get("finish_reason");
      if (!f.isJsonNull()) {
        finish = f.getAsString();
      }
    }
    assertTrue(events.size() > 4, "one event per token: " + events);
    assertEquals(answer, streamed.toString());
    assertEquals(choice.get("finish_reason").getAsString(), finish);
  }

  @Test
  void completionsHonourStopAndMaxTokensAndRefuseASuffixWithoutFim() throws Exception {
    start();
    HttpResponse<String> r =
        post(
            "/v1/completions",
            "{\"prompt\":\"1, 2, 3, 4,\",\"max_tokens\":6,\"temperature\":0,\"stop\":[\" 6\"]}");
    assertEquals(200, r.statusCode(), r.body());
    JsonObject choice = json(r).getAsJsonArray("choices").get(0).getAsJsonObject();
    assertEquals(" 5,", choice.get("text").getAsString());
    assertEquals("stop", choice.get("finish_reason").getAsString());

    r = post("/v1/completions", "{\"prompt\":\"a\",\"max_tokens\":3,\"temperature\":0}");
    JsonObject c = json(r).getAsJsonArray("choices").get(0).getAsJsonObject();
    assertEquals(3, json(r).getAsJsonObject("usage").get("completion_tokens").getAsInt(), r.body());
    assertEquals("length", c.get("finish_reason").getAsString());

    assertError(post("/v1/completions", "{\"prompt\":\"a\",\"suffix\":\"b\"}"), 400, null);
    assertError(post("/v1/completions", "{\"prompt\":\"a\",\"temperature\":\"hot\"}"), 400, null);
    assertError(post("/v1/completions", "{\"prompt\":\"a\",\"max_tokens\":99999}"), 400, null);
    assertError(
        post("/v1/completions", "{\"prompt\":\"a\",\"model\":\"gpt-4\"}"), 404, "model_not_found");
    assertError(post("/v1/completions", "not json"), 400, null);
    assertError(get("/v1/completions"), 405, "method_not_allowed");
    assertError(get("/v2/anything"), 404, "unknown_url");
  }

  @Test
  void modelsHealthAndMetrics() throws Exception {
    start();
    JsonObject models = json(get("/v1/models"));
    assertEquals("list", models.get("object").getAsString());
    JsonArray data = models.getAsJsonArray("data");
    JsonObject first = data.get(0).getAsJsonObject();
    assertEquals("smollm2-135m-instruct", first.get("id").getAsString());
    assertTrue(first.get("loaded").getAsBoolean());
    assertTrue(data.toString().contains("\"future-model\""), data.toString());

    assertEquals("ok", json(get("/health")).get("status").getAsString());
    String hello = "{\"prompt\":\"Hello there, my friend\",\"max_tokens\":2,\"temperature\":0}";
    post("/v1/completions", hello);
    post("/v1/completions", hello);
    HttpResponse<String> metrics = get("/metrics");
    assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
    String text = metrics.body();
    for (String name :
        List.of(
            "cromwell_requests_total{endpoint=\"/v1/completions\",status=\"200\"} 2",
            "cromwell_request_duration_seconds_bucket{endpoint=\"/v1/completions\",le=\"+Inf\"} 2",
            "cromwell_generated_tokens_total 4",
            "cromwell_queue_depth 0",
            "cromwell_tokens_per_second",
            "cromwell_time_to_first_token_seconds_count 2",
            "cromwell_heap_used_bytes",
            "cromwell_kv_cache_bytes")) {
      assertTrue(text.contains(name), name + " in\n" + text);
    }
    // The second identical prompt reused the first one's KV cache (all but its last token).
    assertTrue(metric("cromwell_prompt_tokens_reused_total") >= 4, text);
  }

  @Test
  void anApiKeyGuardsEveryRequestAndIsNeededBeyondLoopback() throws Exception {
    start("s3cret", 4, 1 << 20, Duration.ofMinutes(5));
    assertError(get("/health"), 401, "invalid_api_key");
    assertError(get("/v1/models", "Authorization", "Bearer wrong"), 401, "invalid_api_key");
    assertEquals(200, get("/v1/models", "Authorization", "Bearer s3cret").statusCode());
    // HEAD answers as GET would, without a body; one model is retrieved by its id.
    HttpResponse<String> head =
        client.send(
            HttpRequest.newBuilder(URI.create(base + "/health"))
                .header("Authorization", "Bearer s3cret")
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, head.statusCode());
    HttpResponse<String> one =
        get("/v1/models/smollm2-135m-instruct", "Authorization", "Bearer s3cret");
    assertEquals(200, one.statusCode(), one.body());
    assertEquals("smollm2-135m-instruct", json(one).get("id").getAsString());
    assertTrue(json(one).get("loaded").getAsBoolean(), one.body());
    assertError(get("/v1/models/gpt-4", "Authorization", "Bearer s3cret"), 404, "model_not_found");
    // The scheme's name is case-insensitive; the key is not.
    assertEquals(200, get("/v1/models", "Authorization", "bearer s3cret").statusCode());
    assertError(get("/v1/models", "Authorization", "bearer S3cret"), 401, "invalid_api_key");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                HttpApi.start(
                    new HttpApi.Settings("0.0.0.0", 0, null, 1024, Duration.ofSeconds(1)),
                    null,
                    null,
                    System.err));
    assertTrue(e.getMessage().contains("CROMWELL_API_KEY"), e.getMessage());
  }

  /** A 400 whose error names {@code param} and whose message holds {@code words}. */
  private static void assertInvalid(HttpResponse<String> r, String param, String words) {
    assertError(r, 400, null);
    JsonObject error = json(r).getAsJsonObject("error");
    assertEquals(param, error.get("param").isJsonNull() ? null : error.get("param").getAsString());
    assertTrue(error.get("message").getAsString().contains(words), r.body());
  }

  @Test
  void badRequestsAreRefusedNamingTheFieldAndTheServerKeepsServing() throws Exception {
    start(null, 4, 1 << 20, Duration.ofMinutes(5));
    // Lenient JSON is not guessed at, and the parser's advice to developers stays out of it.
    for (String body :
        List.of(
            "{'prompt':'hi','max_tokens':2}",
            "{prompt:\"hi\",max_tokens:2}",
            "/*c*/{\"prompt\":\"hi\"}",
            "{\"prompt\":\"hi\"} xyz")) {
      HttpResponse<String> r = post("/v1/completions", body);
      assertInvalid(r, null, "not valid JSON");
      assertFalse(r.body().contains("LENIENT") || r.body().contains("gson"), r.body());
    }
    HttpResponse<String> latin =
        client.send(
            HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
                .POST(
                    HttpRequest.BodyPublishers.ofByteArray(
                        "{\"prompt\":\"hi \u00ff there\",\"max_tokens\":2}"
                            .getBytes(StandardCharsets.ISO_8859_1)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertInvalid(latin, null, "UTF-8");
    // max_tokens: the value sent is the one reported, and a huge one is refused, not capped.
    assertInvalid(
        post("/v1/completions", "{\"prompt\":\"hi\",\"max_tokens\":-1}"), "max_tokens", "got -1");
    for (String huge : List.of("2147483647", "2147483648", "1e12")) {
      assertInvalid(
          post("/v1/completions", "{\"prompt\":\"hi\",\"max_tokens\":" + huge + "}"),
          "max_tokens",
          "context");
    }
    assertInvalid(post("/v1/completions", "{\"prompt\":\"\"}"), "prompt", "empty");
    assertInvalid(
        post("/v1/completions", "{\"prompt\":\"" + "good day ".repeat(2100) + "\"}"),
        "prompt",
        "shorten it");
    // Fields that would change the answer's meaning are refused, not silently dropped.
    assertInvalid(
        post("/v1/completions", "{\"prompt\":\"hi\",\"logprobs\":2}"), "logprobs", "leave it");
    assertInvalid(post("/v1/completions", "{\"prompt\":\"hi\",\"echo\":true}"), "echo", "leave");
    assertInvalid(
        post("/v1/completions", "{\"prompt\":\"hi\",\"logprobs\":0}"), "logprobs", "leave");
    assertInvalid(
        post("/v1/completions", "{\"prompt\":\"hi\",\"logit_bias\":{\"100\":100}}"),
        "logit_bias",
        "leave");
    assertInvalid(
        post(
            "/v1/chat/completions",
            "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"response_format\":{\"type\":\"json_object\"}}"),
        "response_format",
        "leave");
    // ... and accepted at their neutral values, as clients often send them.
    assertEquals(
        200,
        post(
                "/v1/completions",
                "{\"prompt\":\"hi\",\"max_tokens\":2,\"logprobs\":null,\"echo\":false,"
                    + "\"best_of\":1,\"logit_bias\":{},\"tools\":[],"
                    + "\"response_format\":{\"type\":\"text\"},\"temperature\":0}")
            .statusCode());
    // Another model's name gets advice that fits any name; the served one in any case is fine.
    HttpResponse<String> other = post("/v1/completions", "{\"prompt\":\"a\",\"model\":\"gpt-4\"}");
    assertError(other, 404, "model_not_found");
    assertFalse(other.body().contains("-m gpt-4"), other.body());
    assertEquals(
        200,
        post(
                "/v1/completions",
                "{\"prompt\":\"hi\",\"max_tokens\":2,\"model\":\"SmolLM2-135M-Instruct\"}")
            .statusCode());
  }

  /**
   * Writes a 20 MB completion request whole, then reads the answer's status line (after any "100
   * Continue"), as a client that does not read before it has sent does.
   */
  private String statusAfterWholeBody(String extraHeaders) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", URI.create(base).getPort())) {
      byte[] body =
          ("{\"prompt\":\"" + "x".repeat(20_000_000) + "\"}").getBytes(StandardCharsets.UTF_8);
      java.io.OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  + "Content-Type: application/json\r\n"
                  + extraHeaders
                  + "Content-Length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      String status = in.readLine();
      while (status != null && status.startsWith("HTTP/1.1 100")) {
        for (String header = in.readLine(); header != null && !header.isEmpty(); ) {
          header = in.readLine(); // its headers, to the blank line
        }
        status = in.readLine();
      }
      return status;
    }
  }

  @Test
  void bodiesAreBoundedAndAFullQueueAnswers429WithRetryAfter() throws Exception {
    start(null, 1, 200, Duration.ofMinutes(5));
    assertError(
        post("/v1/completions", "{\"prompt\":\"" + "x".repeat(300) + "\"}"),
        413,
        "request_too_large");
    // A client that writes its whole body before reading (as Python's http.client does) gets the
    // 413, not a connection reset under its unsent bytes; so does one that asked for 100 Continue
    // (the JDK answers that itself, so the body comes anyway).
    assertEquals("HTTP/1.1 413 Request Entity Too Large", statusAfterWholeBody(""));
    assertEquals(
        "HTTP/1.1 413 Request Entity Too Large", statusAfterWholeBody("Expect: 100-continue\r\n"));
    // One long generation holds the only place; the next request is turned away at once.
    CompletableFuture<HttpResponse<String>> first =
        client.sendAsync(
            HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"prompt\":\"Once upon a time\",\"max_tokens\":60,\"temperature\":0}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    waitFor(() -> json(getQuietly("/health")).get("queue_depth").getAsInt() == 1);
    HttpResponse<String> second =
        post("/v1/completions", "{\"prompt\":\"Hi\",\"max_tokens\":2,\"temperature\":0}");
    assertError(second, 429, "queue_full");
    assertTrue(
        Integer.parseInt(second.headers().firstValue("Retry-After").orElseThrow()) >= 1,
        second.headers().toString());
    assertEquals(200, first.get().statusCode());
  }

  @Test
  void underLoadEveryStreamCompletesWholeOrIsTurnedAwayWith429() throws Exception {
    start(null, 3, 1 << 20, Duration.ofMinutes(5));
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"prompt\":\"The sky is\",\"max_tokens\":6,\"temperature\":0,\"stream\":true}"))
            .build();
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      responses.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
    }
    int completed = 0;
    int refused = 0;
    java.util.Set<String> texts = new java.util.HashSet<>();
    for (CompletableFuture<HttpResponse<String>> f : responses) {
      HttpResponse<String> r = f.get();
      if (r.statusCode() == 429) {
        assertError(r, 429, "queue_full");
        assertTrue(r.headers().firstValue("Retry-After").isPresent());
        refused++;
        continue;
      }
      assertEquals(200, r.statusCode(), r.body());
      StringBuilder text = new StringBuilder();
      List<String> events = new ArrayList<>();
      for (String line : r.body().split("\n")) {
        if (line.startsWith("data: ")) {
          events.add(line.substring(6));
        }
      }
      assertEquals("[DONE]", events.getLast(), r.body());
      for (String e : events.subList(0, events.size() - 1)) {
        text.append(
            JsonParser.parseString(e)
                .getAsJsonObject()
                .getAsJsonArray("choices")
                .get(0)
                .getAsJsonObject()
                .get("text")
                .getAsString());
      }
      texts.add(text.toString());
      completed++;
    }
    assertTrue(completed >= 3, completed + " completed");
    assertTrue(refused >= 1, refused + " refused");
    // Greedy decoding of one prompt: every stream that ran carries the same, whole text.
    assertEquals(1, texts.size(), texts.toString());
    assertEquals(0, metric("cromwell_queue_depth"));
    assertEquals(refused, metric("cromwell_queue_rejected_total"));
  }

  @Test
  void aClientThatHangsUpCancelsItsGeneration() throws Exception {
    start();
    for (boolean stream : new boolean[] {true, false}) {
      InputStream body =
          openCompletion(
              "{\"prompt\":\"Once upon a time\",\"max_tokens\":1000,\"temperature\":0,"
                  + "\"stream\":"
                  + stream
                  + "}");
      assertTrue(body.read() >= 0); // the first token (or space) arrived: generation is running
      body.close(); // hang up
    }
    waitFor(() -> metric("cromwell_cancelled_total") == 2);
    double generated = metric("cromwell_generated_tokens_total");
    assertTrue(generated < 200, "generated " + generated + " of 2 × 1000 tokens after hanging up");
    assertEquals(0, metric("cromwell_queue_depth"));
  }

  @Test
  void aStreamingClientThatHangsUpDuringItsPromptCancelsItBeforeTheFirstToken() throws Exception {
    start();
    // About 1,650 prompt tokens: seconds of prefill on 2 threads, in chunks of 64 that the
    // scheduler stops between once the quiet probe has found the client gone.
    String prompt = "The quick brown fox jumps over the lazy dog. ".repeat(150);
    InputStream body =
        openCompletion(
            "{\"prompt\":\"" + prompt + "\",\"max_tokens\":50,\"temperature\":0,\"stream\":true}");
    body.close(); // hang up once the headers are in, while the prompt is computed
    waitFor(() -> metric("cromwell_cancelled_total") == 1);
    // Noticed only at the first token, the whole prompt would have run and a token been generated.
    assertEquals(0, metric("cromwell_generated_tokens_total"));
    assertEquals(0, metric("cromwell_time_to_first_token_seconds_count"));
    assertEquals(0, metric("cromwell_queue_depth"));
  }

  @Test
  void aShortRequestThatComesDuringALongPromptIsAnsweredBeforeIt() throws Exception {
    start();
    String prompt = "The quick brown fox jumps over the lazy dog. ".repeat(150);
    // One token: the long request ends as soon as its prompt is in.
    CompletableFuture<HttpResponse<String>> longOne =
        postAsync("{\"prompt\":\"" + prompt + "\",\"max_tokens\":1,\"temperature\":0}");
    waitFor(() -> metric("cromwell_queue_depth") == 1); // admitted: its prompt takes seconds
    HttpResponse<String> shortOne = post("/v1/completions", BATCHED[1]);
    assertFalse(completionText(shortOne).isEmpty());
    // Prefilled whole before anything else, its seconds of prompt would have come first.
    assertFalse(longOne.isDone(), "the short request waited for the long prompt");
    assertEquals(200, longOne.get().statusCode(), longOne.get().body());
  }

  /** Four completions of different prompt lengths, token limits and stops. */
  private static final String[] BATCHED = {
    "{\"prompt\":\"def fibonacci(n):\",\"max_tokens\":24,\"temperature\":0}",
    "{\"prompt\":\"The capital of France is\",\"max_tokens\":10,\"temperature\":0}",
    "{\"prompt\":\"1, 2, 3, 4,\",\"max_tokens\":20,\"temperature\":0,\"stop\":[\" 9\"]}",
    "{\"prompt\":\"Once upon a time, in a land far away, there lived\",\"max_tokens\":16,"
        + "\"temperature\":0}"
  };

  private String completionText(HttpResponse<String> r) {
    assertEquals(200, r.statusCode(), r.body());
    return JsonParser.parseString(r.body().strip())
        .getAsJsonObject()
        .getAsJsonArray("choices")
        .get(0)
        .getAsJsonObject()
        .get("text")
        .getAsString();
  }

  /** A completion whose body the test reads (and may hang up on) as it arrives. */
  private InputStream openCompletion(String body) throws Exception {
    return client
        .send(
            HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream())
        .body();
  }

  private CompletableFuture<HttpResponse<String>> postAsync(String body) {
    return client.sendAsync(
        HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void concurrentRequestsDecodedTogetherGiveTheTextsTheyGiveAlone() throws Exception {
    start(null, 8, 1 << 20, Duration.ofMinutes(5));
    List<String> alone = new ArrayList<>();
    for (String body : BATCHED) {
      alone.add(completionText(post("/v1/completions", body)));
    }
    double before = metric("cromwell_generated_tokens_total");
    List<CompletableFuture<HttpResponse<String>>> together = new ArrayList<>();
    for (String body : BATCHED) {
      together.add(postAsync(body));
    }
    List<String> batched = new ArrayList<>();
    for (CompletableFuture<HttpResponse<String>> f : together) {
      batched.add(completionText(f.get()));
    }
    assertEquals(alone, batched);
    assertEquals(2 * before, metric("cromwell_generated_tokens_total"), "the same tokens again");
    assertTrue(
        metric("cromwell_batch_peak") >= 2, "the requests were decoded together, not in turn");
  }

  @Test
  void aRequestCancelledMidBatchLeavesTheOthersTextsUnchanged() throws Exception {
    start(null, 8, 1 << 20, Duration.ofMinutes(5));
    String first = completionText(post("/v1/completions", BATCHED[0]));
    String second = completionText(post("/v1/completions", BATCHED[3]));
    CompletableFuture<HttpResponse<String>> a = postAsync(BATCHED[0]);
    InputStream body =
        openCompletion(
            "{\"prompt\":\"Once upon a time\",\"max_tokens\":1000,\"temperature\":0,"
                + "\"stream\":true}");
    CompletableFuture<HttpResponse<String>> b = postAsync(BATCHED[3]);
    assertTrue(body.read() >= 0); // its first token is out: it is in the batch
    body.close(); // hang up mid-batch
    assertEquals(first, completionText(a.get()));
    assertEquals(second, completionText(b.get()));
    waitFor(() -> metric("cromwell_cancelled_total") == 1);
    assertEquals(0, metric("cromwell_queue_depth"));
  }

  @Test
  void aRequestThatRunsPastItsTimeoutEndsWithWhatItHas() throws Exception {
    start(null, 4, 1 << 20, Duration.ofMillis(1500));
    HttpResponse<String> r =
        post(
            "/v1/completions",
            "{\"prompt\":\"Once upon a time\",\"max_tokens\":1500,\"temperature\":0}");
    assertEquals(200, r.statusCode(), r.body());
    JsonObject body = JsonParser.parseString(r.body().strip()).getAsJsonObject();
    assertEquals(
        "length",
        body.getAsJsonArray("choices").get(0).getAsJsonObject().get("finish_reason").getAsString());
    assertTrue(body.getAsJsonObject("usage").get("completion_tokens").getAsInt() < 1500);
    assertEquals(1, metric("cromwell_timed_out_total"));
  }

  /** The body of an edit of lines {@code first..last} (1-based) of {@code text}. */
  private static JsonObject editRequest(
      String path, String text, int first, int last, String instruction) {
    JsonObject request = new JsonObject();
    request.addProperty("path", path);
    request.addProperty("text", text);
    JsonObject range = new JsonObject();
    range.addProperty("start_line", first);
    range.addProperty("end_line", last);
    request.add("range", range);
    request.addProperty("instruction", instruction);
    return request;
  }

  @Test
  void editsReturnTheNewTextItsDiffAndMinimalEditsOrARefusal() throws Exception {
    start();
    String text = "def area(r):\n    return 3.14 * r * r\n";
    JsonObject request = editRequest("geo.py", text, 2, 2, "use math.pi instead of 3.14");
    HttpResponse<String> r = post("/v1/cromwell/edit", request.toString());
    assertEquals(200, r.statusCode(), r.body());
    JsonObject body = json(r);
    String updated = body.get("text").getAsString();
    if (body.get("refusal").isJsonNull()) {
      // The edits, applied to the old text at their LSP positions, give the new text.
      TextDocument doc = new TextDocument(text);
      List<TextEdits.Edit> edits = new ArrayList<>();
      for (JsonElement e : body.getAsJsonArray("edits")) {
        JsonObject o = e.getAsJsonObject();
        JsonObject start = o.getAsJsonObject("range").getAsJsonObject("start");
        JsonObject end = o.getAsJsonObject("range").getAsJsonObject("end");
        edits.add(
            new TextEdits.Edit(
                doc.offset(
                    start.get("line").getAsInt(),
                    start.get("character").getAsInt(),
                    PositionEncoding.UTF16),
                doc.offset(
                    end.get("line").getAsInt(),
                    end.get("character").getAsInt(),
                    PositionEncoding.UTF16),
                o.get("new_text").getAsString()));
      }
      assertEquals(updated, TextEdits.apply(text, edits));
      assertTrue(updated.startsWith("def area(r):\n"), updated);
      if (!updated.equals(text)) {
        assertTrue(
            body.get("diff").getAsString().startsWith("--- a/geo.py\n+++ b/geo.py\n"), r.body());
      }
    } else {
      assertEquals(text, updated);
      assertFalse(body.get("refusal").getAsString().isBlank());
    }
    request.getAsJsonObject("range").addProperty("end_line", 9);
    assertError(post("/v1/cromwell/edit", request.toString()), 400, null);
  }

  @Test
  void aDocstringEditThroughTheQueueChangesNothingButTheDocstring() throws Exception {
    start();
    // The file and selection on which SmolLM2 answers with a docstring (DocOnlyRealModelTest).
    String text = "import math\n\n\ndef area(radius):\n    return math.pi * radius * radius\n";
    JsonObject request = editRequest("geometry.py", text, 4, 5, "add a docstring");
    HttpResponse<String> r = post("/v1/cromwell/edit", request.toString());
    assertEquals(200, r.statusCode(), r.body());
    JsonObject body = json(r);
    assertTrue(body.get("refusal").isJsonNull(), r.body());
    String updated = body.get("text").getAsString();
    String head = "import math\n\n\ndef area(radius):\n";
    String tail = "    return math.pi * radius * radius\n";
    assertTrue(updated.startsWith(head) && updated.endsWith(tail), updated);
    String inserted = updated.substring(head.length(), updated.length() - tail.length());
    assertTrue(inserted.startsWith("    \"\"\""), updated);
  }

  /**
   * The server decodes an edit's answer a pass at a time between other requests' steps, the command
   * line on its own thread: on the real SmolLM2 both answer the same (text or refusal).
   */
  @Test
  void anEditThroughTheServerAnswersAsTheCommandLineDoes() throws Exception {
    start();
    String text = "def area(r):\n    return 3.14 * r * r\n";
    String instruction = "use math.pi instead of 3.14";
    JsonObject request = new JsonObject();
    request.addProperty("path", "geo.py");
    request.addProperty("text", text);
    request.addProperty("instruction", instruction);
    // A stream beside it, so that the edit's parts share the model with a running job.
    CompletableFuture<HttpResponse<String>> beside =
        client.sendAsync(
            HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"prompt\":\"1, 2, 3,\",\"max_tokens\":200,\"temperature\":0}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> response = post("/v1/cromwell/edit", request.toString());
    assertEquals(200, response.statusCode(), response.body());
    JsonObject served = json(response);
    assertEquals(200, beside.get().statusCode());
    String expected;
    String refusal = null;
    try (Model direct = Model.load(RealModels.smollm2(), new Model.Options(2, 2048))) {
      try {
        expected =
            new dev.cromwell.edit.EditService(new dev.cromwell.edit.ModelEditModel(direct))
                .edit(
                    new dev.cromwell.edit.EditService.Request("geo.py", text, 1, 2, instruction),
                    () -> false);
      } catch (dev.cromwell.protocol.edit.EditException e) {
        expected = text;
        refusal = e.getMessage();
      }
    }
    assertEquals(expected, served.get("text").getAsString());
    assertEquals(
        refusal, served.get("refusal").isJsonNull() ? null : served.get("refusal").getAsString());
  }

  private static String withoutNumbers(String note) {
    return note.replaceAll("-?[0-9]+\\.[0-9]+", "N");
  }

  private static double firstNumber(String note) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("-?[0-9]+\\.[0-9]+").matcher(note);
    assertTrue(m.find(), note);
    return Double.parseDouble(m.group());
  }

  /**
   * A fix tells what it did beyond its first answer in {@code notes}, as {@code cromwell edit}
   * prints it: on the real SmolLM2 this fix's first answer changes nothing, and no line reads
   * unlikely enough to it to look again, so the note says so, naming the least likely line.
   */
  @Test
  void aFixThroughTheServerNotesItsStepsAsTheCommandLineDoes() throws Exception {
    start();
    String text = "import math\n\ndef area(r):\n    return 3.14 * r * r\n";
    JsonObject request = editRequest("geo.py", text, 3, 4, "fix the bug");
    HttpResponse<String> response = post("/v1/cromwell/edit", request.toString());
    assertEquals(200, response.statusCode(), response.body());
    JsonObject served = json(response);
    List<String> notes = new ArrayList<>();
    served.getAsJsonArray("notes").forEach(n -> notes.add(n.getAsString()));
    List<String> expected = new ArrayList<>();
    try (Model direct = Model.load(RealModels.smollm2(), new Model.Options(2, 2048))) {
      new dev.cromwell.edit.EditService(new dev.cromwell.edit.ModelEditModel(direct))
          .edit(
              new dev.cromwell.edit.EditService.Request("geo.py", text, 3, 4, "fix the bug"),
              () -> false,
              step -> {
                if (step.toldToUsers()) {
                  expected.add(step.describe());
                }
              });
    }
    // SmolLM2's first answer changes nothing, and no line reads unlikely enough to it (line 4
    // scores about -2.5): no second look.
    assertEquals(1, expected.size(), expected.toString());
    java.util.regex.Matcher note =
        java.util.regex.Pattern.compile(
                "the first answer changed nothing, and no line reads unusual enough to the model to"
                    + " look again \\(least likely: line 4, log-probability (-?[0-9.]+), not below"
                    + " (-?[0-9.]+)\\)")
            .matcher(expected.get(0));
    assertTrue(note.matches(), expected.toString());
    assertTrue(
        Double.parseDouble(note.group(1)) >= Double.parseDouble(note.group(2)), expected.get(0));
    // The served note is the command line's: the same words, and the same score but for the
    // last digit (the server scores the prompt in its scheduler's chunks).
    assertEquals(1, notes.size(), notes.toString());
    assertEquals(withoutNumbers(expected.get(0)), withoutNumbers(notes.get(0)));
    assertEquals(
        Double.parseDouble(note.group(1)), firstNumber(notes.get(0)), 0.011, notes.toString());
    // Other edits have no such steps, and say so with an empty list.
    request.addProperty("instruction", "use math.pi instead of 3.14");
    JsonObject plain = json(post("/v1/cromwell/edit", request.toString()));
    assertEquals(0, plain.getAsJsonArray("notes").size(), plain.toString());
  }

  /**
   * An edit's answer, decoded as the scheduler's parted work, holds a place in the queue while it
   * runs and ends at the request's timeout (counted from admission) as a job's does.
   */
  @Test
  void anEditsAnswerHoldsAQueuePlaceAndEndsAtTheTimeout() throws Exception {
    Duration timeout = Duration.ofMillis(2500);
    start(null, 4, 1 << 20, timeout);
    StringBuilder text = new StringBuilder("def table(rows):\n    out = {}\n");
    for (int i = 0; i < 30; i++) {
      text.append("    out['row")
          .append(i)
          .append("'] = sum(r[")
          .append(i)
          .append("] for r in rows)\n");
    }
    text.append("    return out\n");
    JsonObject request = new JsonObject();
    request.addProperty("path", "table.py");
    request.addProperty("text", text.toString());
    request.addProperty("instruction", "rename out to totals");
    long t0 = System.nanoTime();
    CompletableFuture<HttpResponse<String>> edit =
        client.sendAsync(
            HttpRequest.newBuilder(URI.create(base + "/v1/cromwell/edit"))
                .POST(HttpRequest.BodyPublishers.ofString(request.toString()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    double deepest = 0;
    while (!edit.isDone()) {
      deepest = Math.max(deepest, metric("cromwell_queue_depth"));
      Thread.sleep(20);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertEquals(200, edit.get().statusCode(), edit.get().body());
    assertTrue(deepest >= 1, "the edit held no place in the queue");
    // The timeout, the second the caller waits past it at most, and the edit's own work after.
    assertTrue(seconds < 2.5 + 1 + 3, "the edit took " + seconds + " s with a 2.5 s timeout");
    assertEquals(0, metric("cromwell_queue_depth"), "the edit's place was not given back");
  }

  /**
   * One job decoding at a time, held by a long generation without a timeout (another client of the
   * queue): of two edits asked together, one answer is parted work and is answered; the other's job
   * waits in the queue past the request's timeout and is answered as a completion that timed out in
   * the queue is (503 "timeout", Retry-After), not as an internal error.
   */
  @Test
  void anEditWhoseAnswerTimesOutInTheQueueIsAnswered503Timeout() throws Exception {
    start(null, 8, 1 << 20, Duration.ofSeconds(2), 1);
    java.util.concurrent.atomic.AtomicBoolean released =
        new java.util.concurrent.atomic.AtomicBoolean();
    CompletableFuture<dev.cromwell.service.GenerationJob.Outcome> holder = holdTheBatch(released);
    try {
      JsonObject request = new JsonObject();
      request.addProperty("path", "geo.py");
      request.addProperty("text", "def area(r):\n    return 3.14 * r * r\n");
      request.addProperty("instruction", "use math.pi instead of 3.14");
      List<CompletableFuture<HttpResponse<String>>> edits = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        edits.add(
            client.sendAsync(
                HttpRequest.newBuilder(URI.create(base + "/v1/cromwell/edit"))
                    .POST(HttpRequest.BodyPublishers.ofString(request.toString()))
                    .build(),
                HttpResponse.BodyHandlers.ofString()));
      }
      List<Integer> statuses = new ArrayList<>();
      for (CompletableFuture<HttpResponse<String>> edit : edits) {
        HttpResponse<String> r = edit.get();
        statuses.add(r.statusCode());
        if (r.statusCode() == 503) {
          assertError(r, 503, "timeout");
          assertEquals("1", r.headers().firstValue("Retry-After").orElse(null), r.body());
        } else {
          assertEquals(200, r.statusCode(), r.body());
        }
      }
      assertFalse(holder.isDone(), "the long generation ended before the edits: nothing waited");
      assertEquals(List.of(200, 503), statuses.stream().sorted().toList());
    } finally {
      released.set(true);
    }
    holder.get();
    assertEquals(0, metric("cromwell_queue_depth"), "an edit's place was not given back");
  }

  /**
   * A completion waiting behind a long job is answered 503 "timeout" when its timeout passes, not
   * when the long job ends and frees the slot (once, 30 s after a 2 s timeout).
   */
  @Test
  void aCompletionWaitingPastItsTimeoutIsAnsweredThen() throws Exception {
    start(null, 8, 1 << 20, Duration.ofSeconds(2), 1);
    java.util.concurrent.atomic.AtomicBoolean released =
        new java.util.concurrent.atomic.AtomicBoolean();
    CompletableFuture<dev.cromwell.service.GenerationJob.Outcome> holder = holdTheBatch(released);
    try {
      long t0 = System.nanoTime();
      HttpResponse<String> r =
          post("/v1/completions", "{\"prompt\":\"def f():\",\"max_tokens\":8}");
      double seconds = (System.nanoTime() - t0) / 1e9;
      assertError(r, 503, "timeout");
      assertTrue(seconds < 2 + 1.5, "answered " + seconds + " s after it was sent");
      assertFalse(holder.isDone(), "the long generation ended first: nothing waited");
      assertEquals(1, metric("cromwell_queue_depth"), "the timed-out request kept its place");
    } finally {
      released.set(true);
    }
    holder.get();
  }

  /**
   * Submits a long generation without a timeout (another client of the queue, counting on for 1500
   * tokens) and returns once it holds the queue's place; it stops when {@code released} is set.
   */
  private CompletableFuture<dev.cromwell.service.GenerationJob.Outcome> holdTheBatch(
      java.util.concurrent.atomic.AtomicBoolean released) throws Exception {
    CompletableFuture<dev.cromwell.service.GenerationJob.Outcome> holder =
        service.submit(
            service.completionPrompt("1, 2, 3,", null),
            new GenerationService.Options(1500, 0f, 1f, List.of(), 0L, null),
            piece -> {},
            released::get);
    waitFor(() -> metric("cromwell_queue_depth") >= 1);
    return holder;
  }

  private HttpResponse<String> getQuietly(String path) {
    try {
      return get(path);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private double metric(String name) {
    for (String line : getQuietly("/metrics").body().split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1));
      }
    }
    throw new AssertionError("no metric " + name);
  }

  private static void waitFor(Supplier<Boolean> condition) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.get()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting");
      }
      Thread.sleep(50);
    }
  }
}
