package dev.cromwell.benchmarks.eval;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.cromwell.edit.EditModel;
import dev.cromwell.protocol.FimFormat;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * llama.cpp's {@code llama-server}, through its {@code /completion} endpoint with the same prompt
 * text (the server parses the special tokens in it), greedy. The tokenizer and chat template are
 * the local file's, which is the file the server loaded.
 */
public final class LlamaServerBackend implements Backend {
  private final URI completion;
  private final CromwellBackend local;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  public LlamaServerBackend(String baseUrl, CromwellBackend local) {
    this.completion = URI.create(baseUrl.replaceAll("/+$", "") + "/completion");
    this.local = local;
  }

  @Override
  public String name() {
    return "llama.cpp";
  }

  @Override
  public String complete(List<FimFormat.Part> prompt, int maxTokens, List<String> stops) {
    List<String> all = new ArrayList<>(stops);
    all.addAll(local.format().stopTokens());
    return post(FimFormat.toText(prompt), maxTokens, all);
  }

  String post(String prompt, int maxTokens, List<String> stops) {
    JsonObject body = new JsonObject();
    body.addProperty("prompt", prompt);
    body.addProperty("n_predict", maxTokens);
    body.addProperty("temperature", 0);
    body.addProperty("top_k", 1);
    body.addProperty("seed", 0);
    body.addProperty("cache_prompt", true);
    body.add("stop", new Gson().toJsonTree(stops.stream().filter(s -> !s.isEmpty()).toList()));
    HttpRequest request =
        HttpRequest.newBuilder(completion)
            .timeout(Duration.ofMinutes(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build();
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException(
            completion + " answered HTTP " + r.statusCode() + ": " + r.body());
      }
      return JsonParser.parseString(r.body()).getAsJsonObject().get("content").getAsString();
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot reach llama.cpp at " + completion + " (LLAMA_SERVER): " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public EditModel editModel() {
    EditModel meta = local.editModel();
    return new EditModel() {
      @Override
      public String generate(
          String prompt,
          int maxTokens,
          List<String> stopStrings,
          BooleanSupplier cancelled,
          java.util.function.Predicate<String> enough) {
        return post(prompt, maxTokens, stopStrings);
      }

      @Override
      public String chatTemplate() {
        return meta.chatTemplate();
      }

      @Override
      public int countTokens(String text) {
        return meta.countTokens(text);
      }
    };
  }
}
