package dev.cromwell.http;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.cromwell.chat.ChatTemplateException;
import dev.cromwell.engine.generate.GenerationResult;
import dev.cromwell.service.GenerationJob;
import dev.cromwell.service.GenerationService;
import dev.cromwell.service.ModelDirectory;
import dev.cromwell.service.QueueFullException;
import java.io.IOException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * The OpenAI-compatible endpoints: each parses its request into service calls and writes the
 * service's answer back in OpenAI's shapes. Generation, prompts and edits live in the services.
 */
final class OpenAiApi {
  private final GenerationService service;
  private final ModelDirectory models;
  private final Metrics metrics;
  private final Duration timeout;

  OpenAiApi(GenerationService service, ModelDirectory models, Metrics metrics, Duration timeout) {
    this.service = service;
    this.models = models;
    this.metrics = metrics;
    this.timeout = timeout;
  }

  void models(ApiExchange x) throws IOException {
    JsonArray data = new JsonArray();
    for (ModelDirectory.Entry e : models.list()) {
      data.add(model(e));
    }
    JsonObject body = new JsonObject();
    body.addProperty("object", "list");
    body.add("data", data);
    x.sendJson(200, body);
  }

  /** {@code GET /v1/models/ID}: one entry of {@link #models}, as OpenAI's retrieve answers. */
  void model(ApiExchange x, String id) throws IOException {
    for (ModelDirectory.Entry e : models.list()) {
      if (e.id().equalsIgnoreCase(id)) { // as a request's 'model' is matched
        x.sendJson(200, model(e));
        return;
      }
    }
    throw ApiError.notFound(
        "model_not_found",
        "no model '" + shown(id) + "' here; GET /v1/models lists the ones there are");
  }

  /** A client's model name as errors quote it: a long one cut, so that it is not echoed whole. */
  private static String shown(String name) {
    return name.length() > 80 ? name.substring(0, 80) + "…" : name;
  }

  private static JsonObject model(ModelDirectory.Entry e) {
    JsonObject m = new JsonObject();
    m.addProperty("id", e.id());
    m.addProperty("object", "model");
    m.addProperty("created", 0);
    m.addProperty("owned_by", "cromwell");
    m.addProperty("loaded", e.loaded());
    m.addProperty("installed", e.installed());
    return m;
  }

  void health(ApiExchange x) throws IOException {
    JsonObject body = new JsonObject();
    body.addProperty("status", "ok");
    body.addProperty("model", service.modelId());
    body.addProperty("queue_depth", service.queue().depth());
    body.addProperty("queue_capacity", service.queue().capacity());
    x.sendJson(200, body);
  }

  void metrics(ApiExchange x) throws IOException {
    x.sendText(200, "text/plain; version=0.0.4; charset=utf-8", metrics.render(service));
  }

  /** {@code model} names the loaded model, or is absent. */
  void checkModel(JsonObject body) {
    String model = OpenAiWire.string(body, "model", false);
    if (model != null && !model.equalsIgnoreCase(service.modelId())) {
      throw ApiError.notFound(
          "model_not_found",
          "the model '"
              + shown(model)
              + "' is not served here; this server runs '"
              + service.modelId()
              + "': send that name as 'model', or leave 'model' out (another model needs a"
              + " server of its own: cromwell serve -m MODEL; cromwell models lists them)");
    }
  }

  void completions(ApiExchange x, boolean chat) throws IOException, InterruptedException {
    JsonObject body = x.jsonBody();
    checkModel(body);
    boolean stream = OpenAiWire.bool(body, "stream");
    JsonObject streamOptions =
        body.has("stream_options") && body.get("stream_options").isJsonObject()
            ? body.getAsJsonObject("stream_options")
            : new JsonObject();
    boolean includeUsage = OpenAiWire.bool(streamOptions, "include_usage");
    GenerationService.Prompt prompt;
    try {
      prompt =
          chat
              ? service.chatPrompt(OpenAiWire.messages(body))
              : service.completionPrompt(
                  OpenAiWire.prompt(body), OpenAiWire.string(body, "suffix", false));
    } catch (ChatTemplateException e) {
      throw ApiError.invalid("messages", e.getMessage());
    } catch (IllegalArgumentException e) {
      throw ApiError.invalid(chat ? "messages" : "suffix", e.getMessage());
    }
    try {
      service.checkPrompt(prompt);
    } catch (IllegalArgumentException e) {
      throw ApiError.invalid(chat ? "messages" : "prompt", e.getMessage() + " (cromwell serve -c)");
    }
    // OpenAI's defaults: 16 tokens for completions, as much as fits for chat (bounded here).
    int defaultMax = Math.max(1, Math.min(chat ? 1024 : 16, service.room(prompt)));
    GenerationService.Options options = OpenAiWire.options(body, defaultMax, chat, timeout);
    TokenPump pump = new TokenPump();
    CompletableFuture<GenerationJob.Outcome> job;
    try {
      job = service.submit(prompt, options, pump, pump::cancelled);
    } catch (QueueFullException e) {
      throw busy(e);
    } catch (IllegalArgumentException e) {
      throw ApiError.invalid(
          chat && !body.has("max_tokens") && body.has("max_completion_tokens")
              ? "max_completion_tokens"
              : "max_tokens",
          e.getMessage());
    }
    job.thenAccept(o -> metrics.generation(o.result().stats(), pump.cancelled(), o.timedOut()));
    String id = (chat ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
    long created = System.currentTimeMillis() / 1000;
    String object = chat ? "chat.completion" : "text_completion";
    if (stream) {
      streamed(x, chat, includeUsage, pump, job, id, created);
    } else {
      whole(x, chat, pump, job, OpenAiWire.envelope(id, object, created, service.modelId()));
    }
  }

  private void streamed(
      ApiExchange x,
      boolean chat,
      boolean includeUsage,
      TokenPump pump,
      CompletableFuture<GenerationJob.Outcome> job,
      String id,
      long created)
      throws IOException, InterruptedException {
    String object = chat ? "chat.completion.chunk" : "text_completion";
    x.startStream("text/event-stream");
    if (chat) {
      event(x, chunk(id, object, created, OpenAiWire.chatChoice("delta", "assistant", "", null)));
    }
    boolean connected =
        pump.drain(
            job,
            new TokenPump.Sink() {
              @Override
              public void token() throws IOException {
                x.probe(":\n"); // an SSE comment: clients skip it
              }

              @Override
              public void quiet() throws IOException {
                x.probe(":\n");
              }

              @Override
              public void text(String piece) throws IOException {
                JsonObject choice =
                    chat
                        ? OpenAiWire.chatChoice("delta", null, piece, null)
                        : OpenAiWire.textChoice(piece, null);
                event(x, chunk(id, object, created, choice));
              }
            });
    if (!connected) {
      return; // the client went away; the generation stops at its next token or prompt chunk
    }
    GenerationResult result;
    try {
      result = outcome(job).result();
    } catch (ApiError e) {
      x.write("data: " + ApiExchange.json(e.body()) + "\n\n");
      return;
    }
    String finish = OpenAiWire.finishReason(result.stopReason());
    JsonObject last =
        chunk(
            id,
            object,
            created,
            chat
                ? OpenAiWire.chatChoice("delta", null, null, finish)
                : OpenAiWire.textChoice("", finish));
    event(x, last);
    if (includeUsage) {
      JsonObject usage = OpenAiWire.envelope(id, object, created, service.modelId());
      usage.add("choices", new JsonArray());
      usage.add("usage", OpenAiWire.usage(result.stats()));
      event(x, usage);
    }
    x.write("data: [DONE]\n\n");
  }

  private JsonObject chunk(String id, String object, long created, JsonObject choice) {
    JsonObject c = OpenAiWire.envelope(id, object, created, service.modelId());
    c.add("choices", OpenAiWire.array(choice));
    return c;
  }

  private static void event(ApiExchange x, JsonObject data) throws IOException {
    x.write("data: " + ApiExchange.json(data) + "\n\n");
  }

  /**
   * A whole JSON response. Once the first token is out, the status is sent and spaces (JSON allows
   * leading whitespace) go out with every token, so that a client that hung up is noticed at the
   * next token and its generation cancelled, as with streaming ({@link ApiExchange#probe}). Not
   * before the first token, unlike streaming ({@link TokenPump.Sink#quiet}): the status would then
   * be sent before it is known, and a request that times out in the queue would get a 200.
   */
  private void whole(
      ApiExchange x,
      boolean chat,
      TokenPump pump,
      CompletableFuture<GenerationJob.Outcome> job,
      JsonObject response)
      throws IOException, InterruptedException {
    boolean connected =
        pump.drain(
            job,
            new TokenPump.Sink() {
              @Override
              public void token() throws IOException {
                if (!x.started()) {
                  x.startStream("application/json");
                }
                x.probe(" ");
              }

              @Override
              public void text(String piece) {}
            });
    if (!connected) {
      return;
    }
    GenerationResult result;
    try {
      result = outcome(job).result();
    } catch (ApiError e) {
      if (!x.started()) {
        throw e;
      }
      x.write(ApiExchange.json(e.body()));
      return;
    }
    String finish = OpenAiWire.finishReason(result.stopReason());
    response.add(
        "choices",
        OpenAiWire.array(
            chat
                ? OpenAiWire.chatChoice("message", "assistant", result.text(), finish)
                : OpenAiWire.textChoice(result.text(), finish)));
    response.add("usage", OpenAiWire.usage(result.stats()));
    if (x.started()) {
      x.write(ApiExchange.json(response));
    } else {
      x.sendJson(200, response);
    }
  }

  private static GenerationJob.Outcome outcome(CompletableFuture<GenerationJob.Outcome> job)
      throws InterruptedException {
    try {
      return job.get();
    } catch (CancellationException e) {
      throw new ApiError(499, "invalid_request_error", "cancelled", null, "cancelled", 0);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TimeoutException t) {
        throw ApiError.timeout(t.getMessage());
      }
      throw new IllegalStateException("generation failed: " + e.getCause(), e.getCause());
    }
  }

  static ApiError busy(QueueFullException e) {
    return new ApiError(
        429, "rate_limit_error", "queue_full", null, e.getMessage(), e.retryAfterSeconds());
  }
}
