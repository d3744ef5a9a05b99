package dev.cromwell.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cromwell.service.GenerationService;
import dev.cromwell.service.ModelDirectory;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The HTTP front door: the JDK's {@link HttpServer} with a virtual thread per exchange (a request
 * blocked on a slow client or on the queue costs a few kilobytes, not a platform thread), the API
 * key check, routing, and OpenAI error bodies for every failure. It only translates; the work is in
 * {@link GenerationService} and the edit service.
 */
public final class HttpApi implements AutoCloseable {
  /**
   * How the server listens and what it accepts.
   *
   * @param apiKey required as {@code Authorization: Bearer KEY} on every request; null for none
   * @param timeout per request, from admission to the last token
   */
  public record Settings(
      String host, int port, String apiKey, long maxBodyBytes, Duration timeout) {
    public Settings {
      // Stripped as the key a request sends is: spaces at either end cannot be told apart there.
      apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey.strip();
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final Settings settings;
  private final OpenAiApi api;
  private final EditApi edits;
  private final Metrics metrics;
  private final PrintStream log;

  private HttpApi(
      HttpServer server,
      Settings settings,
      GenerationService service,
      ModelDirectory models,
      PrintStream log) {
    this.server = server;
    this.settings = settings;
    this.log = log;
    Metrics metrics = new Metrics();
    this.api = new OpenAiApi(service, models, metrics, settings.timeout());
    this.edits = new EditApi(service, api, settings.timeout());
    this.metrics = metrics;
  }

  /**
   * Binds and starts serving. Listening beyond loopback without an API key is refused: anyone on
   * the network could otherwise run the model.
   */
  public static HttpApi start(
      Settings settings, GenerationService service, ModelDirectory models, PrintStream log)
      throws IOException {
    InetAddress address = checkExposure(settings.host(), settings.apiKey());
    HttpServer server = HttpServer.create(new InetSocketAddress(address, settings.port()), 128);
    HttpApi api = new HttpApi(server, settings, service, models, log);
    server.setExecutor(api.executor);
    server.createContext("/", api::handle);
    server.start();
    return api;
  }

  /**
   * The address for {@code host}; refused beyond loopback without an API key, since anyone on the
   * network could otherwise run the model.
   */
  public static InetAddress checkExposure(String host, String apiKey) throws IOException {
    InetAddress address = InetAddress.getByName(host);
    if (!address.isLoopbackAddress() && (apiKey == null || apiKey.isBlank())) {
      throw new IllegalArgumentException(
          "listening on "
              + host
              + " (beyond this machine) needs an API key: pass --api-key or set CROMWELL_API_KEY");
    }
    return address;
  }

  /** The port bound (useful with port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) {
    long start = System.nanoTime();
    ApiExchange x = new ApiExchange(exchange, settings.maxBodyBytes());
    String endpoint = endpoint(x.path());
    try {
      authorize(x);
      route(x, endpoint);
    } catch (ApiError e) {
      respond(x, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // The client went away mid-response: nothing to answer.
    } catch (RuntimeException e) {
      log.println("cromwell serve: internal error on " + x.path() + ": " + e);
      respond(
          x,
          new ApiError(
              500,
              "server_error",
              "internal_error",
              null,
              "internal error: " + e.getMessage() + " (run with CROMWELL_DEBUG=1 and report it)",
              0));
      if (System.getenv("CROMWELL_DEBUG") != null) {
        e.printStackTrace(log);
      }
    } finally {
      metrics.request(endpoint, x.status(), (System.nanoTime() - start) / 1e9);
      x.close();
    }
  }

  private static void respond(ApiExchange x, ApiError e) {
    if (x.started()) {
      return; // the status is already out; the handler wrote what it could
    }
    try {
      x.sendError(e);
    } catch (IOException ignored) {
      // The client went away.
    }
  }

  /** Where OpenAI's retrieve-model URLs start: {@code /v1/models/ID}. */
  private static final String MODEL_PREFIX = "/v1/models/";

  private static String endpoint(String path) {
    if (path.startsWith(MODEL_PREFIX) && path.length() > MODEL_PREFIX.length()) {
      return MODEL_PREFIX + "{id}";
    }
    return switch (path) {
      case "/v1/models",
          "/v1/completions",
          "/v1/chat/completions",
          "/v1/cromwell/edit",
          "/health",
          "/metrics" ->
          path;
      default -> "other";
    };
  }

  private void route(ApiExchange x, String endpoint) throws IOException, InterruptedException {
    boolean post = endpoint.startsWith("/v1/") && !endpoint.startsWith("/v1/models");
    // HEAD is GET without the body (ApiExchange leaves it out).
    String method = !post && x.method().equals("HEAD") ? "GET" : x.method();
    if (endpoint.equals("other")) {
      throw ApiError.notFound("unknown_url", "unknown URL: " + x.method() + " " + x.path());
    }
    if (!method.equals(post ? "POST" : "GET")) {
      throw new ApiError(
          405,
          "invalid_request_error",
          "method_not_allowed",
          null,
          endpoint + " takes " + (post ? "POST" : "GET") + ", not " + method,
          0);
    }
    switch (endpoint) {
      case "/v1/models" -> api.models(x);
      case MODEL_PREFIX + "{id}" ->
          api.model(x, x.path().substring(MODEL_PREFIX.length())); // getPath() decodes it
      case "/v1/completions" -> api.completions(x, false);
      case "/v1/chat/completions" -> api.completions(x, true);
      case "/v1/cromwell/edit" -> edits.edit(x);
      case "/health" -> api.health(x);
      case "/metrics" -> api.metrics(x);
      default -> throw new IllegalStateException(endpoint);
    }
  }

  private void authorize(ApiExchange x) {
    if (settings.apiKey() == null) {
      return;
    }
    String header = x.header("Authorization");
    // The scheme's name is case-insensitive (RFC 9110); the key is compared in constant time, so
    // that the time taken says nothing about how much of it matched.
    String key =
        header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
            ? header.substring(7).strip()
            : "";
    if (header == null
        || !MessageDigest.isEqual(
            key.getBytes(StandardCharsets.UTF_8),
            settings.apiKey().getBytes(StandardCharsets.UTF_8))) {
      throw new ApiError(
          401,
          "invalid_request_error",
          "invalid_api_key",
          null,
          header == null
              ? "missing API key: send it as the header 'Authorization: Bearer KEY'"
              : "incorrect API key provided",
          0);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
