package dev.cromwell.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.tokenizer.Vocabulary;
import dev.cromwell.protocol.edit.ChatTemplate;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How one model writes a conversation as prompt text: its own {@code tokenizer.chat_template}
 * rendered by a real Jinja interpreter (Jinjava, configured as Hugging Face's {@code
 * apply_chat_template} configures jinja2: trim_blocks and lstrip_blocks, {@code raise_exception},
 * {@code strftime_now}), and the family renderer of {@link ChatTemplate} when the template cannot
 * be interpreted. Every chat prompt (the chat API, edits) goes through here.
 */
public final class ChatFormat {
  /** Which renderer produced a prompt. */
  public enum Source {
    TEMPLATE,
    FAMILY
  }

  /** A rendered prompt; {@code note} says why the family renderer was used, if it was. */
  public record Rendered(String text, Source source, String note) {}

  private static final String RAISED = "cromwell-template-raised: ";

  private static final Jinjava JINJA = newJinja();

  private final String template;
  private final String bosToken;
  private final String eosToken;

  private ChatFormat(String template, String bosToken, String eosToken) {
    this.template = template;
    this.bosToken = bosToken == null ? "" : bosToken;
    this.eosToken = eosToken == null ? "" : eosToken;
  }

  /** A format for {@code template} (null: no template, the ChatML family is used). */
  public static ChatFormat of(String template, String bosToken, String eosToken) {
    return new ChatFormat(template, bosToken, eosToken);
  }

  /** The loaded model's template with its BOS and EOS token texts. */
  public static ChatFormat forModel(Model model) {
    Vocabulary v = model.tokenizer().vocabulary();
    return of(
        model.file().string("tokenizer.chat_template").orElse(null),
        tokenText(v, v.bosId()),
        tokenText(v, v.eosId()));
  }

  private static String tokenText(Vocabulary v, int id) {
    return id >= 0 && id < v.size() ? v.text(id) : "";
  }

  /** Whether the model has a template of its own. */
  public boolean hasTemplate() {
    return template != null;
  }

  /**
   * The conversation as the model's prompt, ending with the assistant's turn opened.
   *
   * @throws ChatTemplateException when the template refuses the conversation
   */
  public Rendered render(List<ChatMessage> messages) {
    if (messages.isEmpty()) {
      throw new IllegalArgumentException("the conversation has no messages");
    }
    if (template == null) {
      return family(messages, "the model has no chat template");
    }
    List<Map<String, Object>> list = new ArrayList<>();
    for (ChatMessage m : messages) {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("role", m.role());
      map.put("content", m.content());
      list.add(map);
    }
    Map<String, Object> context = new HashMap<>();
    context.put("messages", list);
    context.put("add_generation_prompt", true);
    context.put("bos_token", bosToken);
    context.put("eos_token", eosToken);
    RenderResult result = JINJA.renderForResult(template, context);
    for (TemplateError e : result.getErrors()) {
      // Jinjava wraps what raise_exception threw; find it in the causes.
      for (Throwable t = e.getException(); t != null; t = t.getCause()) {
        String message = t.getMessage() == null ? "" : t.getMessage();
        int raised = message.indexOf(RAISED);
        if (raised >= 0) {
          throw new ChatTemplateException(
              "the model's chat template refused the conversation: "
                  + message.substring(raised + RAISED.length()));
        }
      }
    }
    List<TemplateError> fatal =
        result.getErrors().stream()
            .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL)
            .toList();
    if (!fatal.isEmpty()) {
      return family(messages, "the chat template failed: " + fatal.getFirst().getMessage());
    }
    return new Rendered(result.getOutput(), Source.TEMPLATE, "");
  }

  private Rendered family(List<ChatMessage> messages, String why) {
    List<ChatTemplate.Turn> turns =
        messages.stream().map(m -> new ChatTemplate.Turn(m.role(), m.content())).toList();
    return new Rendered(ChatTemplate.detect(template).render(turns), Source.FAMILY, why);
  }

  private static Jinjava newJinja() {
    // Python Jinja's semantics where Jinjava's defaults differ: {{- -}} trims, dicts iterate
    // over keys, operators bind as in Python; and message text is never interpreted again as a
    // template (Jinjava's nested interpretation would run "{% ... %}" written by a user).
    LegacyOverrides python =
        LegacyOverrides.newBuilder()
            .withUseTrimmingForNotesAndExpressions(true)
            .withParseWhitespaceControlStrictly(true)
            .withUseNaturalOperatorPrecedence(true)
            .withEvaluateMapKeys(true)
            .withIterateOverMapKeys(true)
            .withUsePyishObjectMapper(true)
            .withKeepNullableLoopValues(true)
            .build();
    JinjavaConfig config =
        JinjavaConfig.newBuilder()
            .withTrimBlocks(true)
            .withLstripBlocks(true)
            .withNestedInterpretationEnabled(false)
            // A template comes with a downloaded file: bound what it may produce.
            .withMaxOutputSize(64L << 20)
            .withLegacyOverrides(python)
            .build();
    Jinjava jinja = new Jinjava(config);
    jinja
        .getGlobalContext()
        .registerFunction(
            new ELFunctionDefinition(
                "", "raise_exception", ChatFormat.class, "raiseException", String.class));
    jinja
        .getGlobalContext()
        .registerFunction(
            new ELFunctionDefinition(
                "", "strftime_now", ChatFormat.class, "strftimeNow", String.class));
    return jinja;
  }

  /** {@code raise_exception(message)} of Hugging Face templates. */
  public static String raiseException(String message) {
    throw new IllegalStateException(RAISED + message);
  }

  /** {@code strftime_now(format)} of Llama 3 templates; only the date directives they use. */
  public static String strftimeNow(String format) {
    LocalDate today = LocalDate.now();
    return format
        .replace("%d", String.format(Locale.ROOT, "%02d", today.getDayOfMonth()))
        .replace("%b", today.format(DateTimeFormatter.ofPattern("MMM", Locale.ROOT)))
        .replace("%B", today.format(DateTimeFormatter.ofPattern("MMMM", Locale.ROOT)))
        .replace("%m", String.format(Locale.ROOT, "%02d", today.getMonthValue()))
        .replace("%Y", Integer.toString(today.getYear()));
  }
}
