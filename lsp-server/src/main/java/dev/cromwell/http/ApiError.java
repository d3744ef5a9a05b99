package dev.cromwell.http;

import com.google.gson.JsonObject;

/**
 * A request the API refuses, with the HTTP status and OpenAI's error body: {@code {"error":
 * {"message", "type", "param", "code"}}}.
 */
public final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String type;
  private final String param;
  private final String code;
  private final int retryAfterSeconds;

  public ApiError(
      int status, String type, String code, String param, String message, int retryAfterSeconds) {
    super(message);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** 400: something in the request body is wrong; {@code param} names the field. */
  public static ApiError invalid(String param, String message) {
    return new ApiError(400, "invalid_request_error", null, param, message, 0);
  }

  /** 503: the request waited in the queue past its timeout; worth retrying in a second. */
  public static ApiError timeout(String message) {
    return new ApiError(503, "server_error", "timeout", null, message, 1);
  }

  public static ApiError notFound(String code, String message) {
    return new ApiError(404, "invalid_request_error", code, null, message, 0);
  }

  public int status() {
    return status;
  }

  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public JsonObject body() {
    JsonObject error = new JsonObject();
    error.addProperty("message", getMessage());
    error.addProperty("type", type);
    error.addProperty("param", param);
    error.addProperty("code", code);
    JsonObject body = new JsonObject();
    body.add("error", error);
    return body;
  }
}
