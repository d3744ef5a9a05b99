package dev.cromwell.cli;

import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.store.ModelStore;
import dev.cromwell.http.HttpApi;
import dev.cromwell.service.GenerationService;
import dev.cromwell.service.ModelDirectory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve an OpenAI-compatible HTTP API for other tools.",
      "Endpoints: /v1/models, /v1/completions, /v1/chat/completions (SSE streaming),",
      "/v1/cromwell/edit, /health and /metrics (Prometheus).",
      "Listens on 127.0.0.1:8080 by default. Listening beyond this machine needs an API key",
      "(--api-key or CROMWELL_API_KEY); with a key set, every request must send",
      "'Authorization: Bearer KEY'. A full queue answers 429 with Retry-After."
    })
final class ServeCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin ModelOptions model;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "address to listen on (default: ${DEFAULT-VALUE})")
  String host;

  @Option(
      names = "--port",
      defaultValue = "8080",
      description = "port to listen on, 0 picks a free one (default: ${DEFAULT-VALUE})")
  int port;

  @Option(
      names = "--api-key",
      defaultValue = "${env:CROMWELL_API_KEY}",
      description = "key every request must send as 'Authorization: Bearer KEY'")
  String apiKey;

  @Option(
      names = "--queue",
      defaultValue = "16",
      description = "most requests waiting or running; more get 429 (default: ${DEFAULT-VALUE})")
  int queue;

  @Option(
      names = "--batch",
      defaultValue = "8",
      description =
          "most requests decoding together, one pass over the weights per token for all of them;"
              + " 1 runs them one at a time; at most 64 (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(
      names = "--max-body",
      defaultValue = "4194304",
      description = "largest request body in bytes; larger gets 413 (default: ${DEFAULT-VALUE})")
  long maxBody;

  @Option(
      names = "--timeout",
      defaultValue = "300",
      description = "seconds a request may take, queue included (default: ${DEFAULT-VALUE})")
  long timeoutSeconds;

  @Option(
      names = {"-c", "--context"},
      defaultValue = "0",
      description = "context length; 0 = the model's, at most 32768")
  int context;

  @Override
  public Integer call() throws Exception {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port must be 0-65535, not " + port);
    }
    if (queue < 1 || maxBody < 1 || timeoutSeconds < 1) {
      throw new IllegalArgumentException("--queue, --max-body and --timeout must be positive");
    }
    if (batch < 1 || batch > 64) {
      throw new IllegalArgumentException("--batch must be 1-64, not " + batch);
    }
    if (apiKey != null && !apiKey.isEmpty() && apiKey.isBlank()) {
      // Only spaces: a key lost in quoting, not a wish to run without one.
      throw new IllegalArgumentException(
          "the API key (--api-key or CROMWELL_API_KEY) is only spaces: give a key, or leave it"
              + " out to serve on loopback without one");
    }
    HttpApi.checkExposure(host, apiKey); // before the model loads: fail fast
    Path file = model.path();
    Model m = Model.load(file, model.options(context, Model.DEFAULT_PREFILL_CHUNK));
    String id = ModelDirectory.idOf(file);
    GenerationService service = new GenerationService(m, id, queue, batch);
    ModelStore store = ModelStore.fromEnvironment();
    ModelDirectory models = new ModelDirectory(store.models(), id, file, store.catalog().names());
    HttpApi api;
    try {
      api =
          HttpApi.start(
              new HttpApi.Settings(host, port, apiKey, maxBody, Duration.ofSeconds(timeoutSeconds)),
              service,
              models,
              System.err);
    } catch (RuntimeException | java.io.IOException e) {
      service.close();
      m.close();
      throw e instanceof java.net.BindException
          ? new IllegalArgumentException(host + ":" + port + ": " + e.getMessage(), e)
          : e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  api.close();
                  service.close();
                  stopped.countDown();
                }));
    spec.commandLine()
        .getErr()
        .printf(
            "cromwell serve: %s on http://%s:%d (%d threads, batch %d)%s%n",
            id,
            host,
            api.port(),
            m.threads(),
            batch,
            apiKey == null || apiKey.isBlank() ? "" : ", API key required");
    spec.commandLine().getErr().flush();
    stopped.await();
    return 0;
  }
}
