package dev.cromwell.engine.store;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;

/** The JDK HTTP client with the errors of a pull turned into one line each. */
final class Http {
  // Built on the first request, not with the puller: building a client initialises TLS (the
  // security providers, the default SSLContext and its trust store), 0.1-0.25 s of start-up that
  // `cromwell lsp` paid before answering initialize although most sessions never download.
  private HttpClient client;

  static Http standard() {
    return new Http();
  }

  private synchronized HttpClient client() {
    if (client == null) {
      client =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(20))
              .followRedirects(HttpClient.Redirect.NORMAL)
              .build();
    }
    return client;
  }

  /** Sends a GET; the caller closes the body. Unreachable hosts become a {@link PullException}. */
  HttpResponse<InputStream> get(URI uri, String accept, long from) throws PullException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
    if (accept != null) {
      request.header("Accept", accept);
    }
    if (from > 0) {
      request.header("Range", "bytes=" + from + "-");
    }
    try {
      return client().send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PullException("interrupted while contacting " + uri.getHost(), e);
    } catch (IOException e) {
      throw unreachable(uri, e);
    }
  }

  /** A one-line description of why {@code uri} could not be reached. */
  static PullException unreachable(URI uri, IOException e) {
    String host = uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
    Throwable cause = e;
    while (cause.getCause() != null && cause.getMessage() == null) {
      cause = cause.getCause();
    }
    boolean offline =
        e instanceof ConnectException
            || e instanceof HttpConnectTimeoutException
            || e instanceof UnknownHostException
            || e.getCause() instanceof UnresolvedAddressException;
    String why;
    if (e.getCause() instanceof UnresolvedAddressException || e instanceof UnknownHostException) {
      why = "host not found";
    } else if (e instanceof HttpConnectTimeoutException) {
      why = "connection timed out";
    } else if (e instanceof ConnectException && e.getMessage() == null) {
      why = "connection refused"; // the JDK client says only "ClosedChannelException" here
    } else {
      why = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
    if (offline) {
      return new PullException(
          "cannot reach " + host + " (offline, or the address is wrong?): " + why, e);
    }
    if (e instanceof HttpTimeoutException) {
      return new PullException(host + " did not answer in time: " + why, e);
    }
    return new PullException("the connection to " + host + " failed: " + why, e);
  }
}
