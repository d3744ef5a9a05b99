package dev.cromwell.lsp.rpc;

import java.util.function.Consumer;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.jsonrpc.MessageConsumer;
import org.eclipse.lsp4j.jsonrpc.MessageProducer;
import org.eclipse.lsp4j.jsonrpc.RemoteEndpoint;
import org.eclipse.lsp4j.jsonrpc.json.ConcurrentMessageProcessor;
import org.eclipse.lsp4j.jsonrpc.json.MessageJsonHandler;

/**
 * LSP4J's launcher builder with the input read by a {@link FramedMessageProducer}: the builder
 * offers no setter for the producer, so this keeps the JSON handler and endpoint it creates and
 * replaces the producer where the message processor is made; messages then pass the {@link
 * LifecycleGate}.
 */
public final class FramedLauncherBuilder<T> extends Launcher.Builder<T> {
  private final FrameLimits limits;
  private final Consumer<String> log;
  private MessageJsonHandler json;
  private RemoteEndpoint endpoint;
  private LifecycleGate gate;

  private final LifecycleGate.Credential credential;

  public FramedLauncherBuilder(FrameLimits limits, Consumer<String> log) {
    this(limits, log, null);
  }

  /** With a {@code credential} the client must present in {@code initialize} (TCP). */
  public FramedLauncherBuilder(
      FrameLimits limits, Consumer<String> log, LifecycleGate.Credential credential) {
    this.limits = limits;
    this.log = log;
    this.credential = credential;
  }

  @Override
  protected RemoteEndpoint createRemoteEndpoint(MessageJsonHandler handler) {
    json = handler;
    endpoint = super.createRemoteEndpoint(handler);
    return endpoint;
  }

  @Override
  protected ConcurrentMessageProcessor createMessageProcessor(
      MessageProducer lsp4jProducer, MessageConsumer consumer, T remoteProxy) {
    gate = new LifecycleGate(consumer, endpoint, credential);
    return super.createMessageProcessor(
        new FramedMessageProducer(input, json, endpoint, limits, log), gate, remoteProxy);
  }

  /** The lifecycle of the launcher {@link #create()} made (its exit code). */
  public LifecycleGate lifecycle() {
    return gate;
  }
}
