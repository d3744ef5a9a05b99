package dev.cromwell.lsp.rpc;

import java.util.List;
import org.eclipse.lsp4j.jsonrpc.MessageConsumer;
import org.eclipse.lsp4j.jsonrpc.MessageIssueHandler;
import org.eclipse.lsp4j.jsonrpc.messages.Message;
import org.eclipse.lsp4j.jsonrpc.messages.MessageIssue;
import org.eclipse.lsp4j.jsonrpc.messages.NotificationMessage;
import org.eclipse.lsp4j.jsonrpc.messages.RequestMessage;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode;

/**
 * The LSP lifecycle, enforced before any handler runs: until {@code initialize} a request is
 * answered with -32002 (ServerNotInitialized) and a notification is dropped; after {@code shutdown}
 * a request is answered with -32600 (InvalidRequest). {@code exit} always passes, and {@link
 * #exitCode()} is what the spec asks for: 0 after a shutdown request, 1 otherwise.
 */
public final class LifecycleGate implements MessageConsumer {
  private final MessageConsumer next;
  private final MessageIssueHandler answers;
  private final Credential credential;
  private volatile boolean initialized;
  private volatile boolean shutdown;

  /**
   * A token the client must send as {@code initializationOptions.token} (TCP), with what to do when
   * it does not (nothing is served without it) and when it did.
   */
  public record Credential(String token, String where, Runnable onRefused, Runnable onAccepted) {}

  public LifecycleGate(MessageConsumer next, MessageIssueHandler answers) {
    this(next, answers, null);
  }

  public LifecycleGate(MessageConsumer next, MessageIssueHandler answers, Credential credential) {
    this.next = next;
    this.answers = answers;
    this.credential = credential;
  }

  @Override
  public void consume(Message message) {
    if (message instanceof RequestMessage request) {
      String method = request.getMethod();
      if (!initialized && !"initialize".equals(method)) {
        refuse(request, ResponseErrorCode.ServerNotInitialized, "the server is not initialized");
        return;
      }
      if (shutdown) {
        refuse(request, ResponseErrorCode.InvalidRequest, "the server is shutting down");
        return;
      }
      if ("initialize".equals(method)) {
        if (initialized) {
          refuse(request, ResponseErrorCode.InvalidRequest, "initialize was already sent");
          return;
        }
        if (credential != null && !credential.token().equals(TokenCheck.tokenOf(request))) {
          refuse(
              request,
              ResponseErrorCode.InvalidRequest,
              "Cromwell needs its token in initializationOptions.token (the server wrote it to "
                  + credential.where()
                  + ")");
          credential.onRefused().run();
          return;
        }
        initialized = true;
        if (credential != null) {
          credential.onAccepted().run();
        }
      } else if ("shutdown".equals(method)) {
        shutdown = true;
      }
    } else if (message instanceof NotificationMessage note
        && !initialized
        && !"exit".equals(note.getMethod())) {
      return; // the spec: notifications before initialize are dropped
    }
    next.consume(message);
  }

  /** The process exit code LSP asks for once {@code exit} arrives or the stream ends. */
  public int exitCode() {
    return shutdown ? 0 : 1;
  }

  private void refuse(RequestMessage request, ResponseErrorCode code, String text) {
    answers.handle(request, List.of(new MessageIssue(text, code.getValue())));
  }
}
