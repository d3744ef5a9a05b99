package dev.cromwell.lsp;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.eclipse.lsp4j.ProgressParams;
import org.eclipse.lsp4j.WorkDoneProgressBegin;
import org.eclipse.lsp4j.WorkDoneProgressCreateParams;
import org.eclipse.lsp4j.WorkDoneProgressEnd;
import org.eclipse.lsp4j.WorkDoneProgressNotification;
import org.eclipse.lsp4j.WorkDoneProgressReport;
import org.eclipse.lsp4j.jsonrpc.messages.Either;
import org.eclipse.lsp4j.services.LanguageClient;

/**
 * Work-done progress ($/progress) for long jobs; silent when the client does not support it.
 *
 * <p>Each token's notifications go out strictly as begin → report* → end: they are queued behind
 * the client's answer to {@code window/workDoneProgress/create}, one after another, so a job that
 * ends before the client answers still shows begin first (a client that sees end before begin keeps
 * the item forever). Nothing is sent after end, and nothing at all if the client refuses the token.
 */
final class Progress {
  private final LanguageClient client;
  private final Either<String, Integer> token;
  private CompletableFuture<Void> tail;
  private boolean ended;

  private Progress(LanguageClient client, Either<String, Integer> token) {
    this.client = client;
    this.token = token;
  }

  static Progress start(LanguageClient client, boolean supported, String title) {
    if (client == null || !supported) {
      return new Progress(null, null);
    }
    Either<String, Integer> token = Either.forLeft("cromwell-" + UUID.randomUUID());
    Progress p = new Progress(client, token);
    WorkDoneProgressBegin begin = new WorkDoneProgressBegin();
    begin.setTitle(Titles.cromwell(title));
    begin.setCancellable(false);
    synchronized (p) {
      p.tail =
          client
              .createProgress(new WorkDoneProgressCreateParams(token))
              .thenRun(() -> p.send(begin));
    }
    return p;
  }

  void report(String message, Integer percentage) {
    WorkDoneProgressReport report = new WorkDoneProgressReport();
    report.setMessage(message);
    report.setPercentage(percentage);
    enqueue(report, false);
  }

  void end(String message) {
    WorkDoneProgressEnd end = new WorkDoneProgressEnd();
    end.setMessage(message);
    enqueue(end, true);
  }

  private synchronized void enqueue(WorkDoneProgressNotification n, boolean last) {
    if (client == null || ended) {
      return;
    }
    ended = last;
    tail = tail.thenRun(() -> send(n));
  }

  private void send(WorkDoneProgressNotification n) {
    client.notifyProgress(new ProgressParams(token, Either.forLeft(n)));
  }
}
