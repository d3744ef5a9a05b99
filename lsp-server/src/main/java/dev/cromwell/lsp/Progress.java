package dev.cromwell.lsp;

import java.util.UUID;
import org.eclipse.lsp4j.ProgressParams;
import org.eclipse.lsp4j.WorkDoneProgressBegin;
import org.eclipse.lsp4j.WorkDoneProgressCreateParams;
import org.eclipse.lsp4j.WorkDoneProgressEnd;
import org.eclipse.lsp4j.WorkDoneProgressReport;
import org.eclipse.lsp4j.jsonrpc.messages.Either;
import org.eclipse.lsp4j.services.LanguageClient;

/** Work-done progress ($/progress) for long jobs; silent when the client does not support it. */
final class Progress {
  private final LanguageClient client;
  private final Either<String, Integer> token;

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
    client
        .createProgress(new WorkDoneProgressCreateParams(token))
        .thenRun(
            () -> {
              WorkDoneProgressBegin begin = new WorkDoneProgressBegin();
              begin.setTitle(title);
              begin.setCancellable(false);
              client.notifyProgress(new ProgressParams(token, Either.forLeft(begin)));
            });
    return p;
  }

  void report(String message, Integer percentage) {
    if (client == null) {
      return;
    }
    WorkDoneProgressReport report = new WorkDoneProgressReport();
    report.setMessage(message);
    report.setPercentage(percentage);
    client.notifyProgress(new ProgressParams(token, Either.forLeft(report)));
  }

  void end(String message) {
    if (client == null) {
      return;
    }
    WorkDoneProgressEnd end = new WorkDoneProgressEnd();
    end.setMessage(message);
    client.notifyProgress(new ProgressParams(token, Either.forLeft(end)));
  }
}
