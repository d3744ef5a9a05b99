package dev.cromwell.protocol.edit;

import java.util.List;

/**
 * Renders a conversation by template family, the fallback for when a model's own {@code
 * tokenizer.chat_template} cannot be interpreted (the Jinja renderer in lsp-server comes first). It
 * recognizes the template's family from its markers — ChatML (Qwen, many others), Llama 3, Llama 2
 * / Mistral {@code [INST]}, Gemma — and writes the turns the way that family's template does,
 * ending with the assistant's turn opened. Unknown templates get ChatML, the most common one.
 */
public enum ChatTemplate {
  CHATML,
  LLAMA3,
  INST,
  GEMMA;

  /** One message of a conversation: role ({@code system}, {@code user}, {@code assistant}). */
  public record Turn(String role, String content) {}

  public static ChatTemplate detect(String template) {
    if (template == null) {
      return CHATML;
    }
    if (template.contains("<|start_header_id|>")) {
      return LLAMA3;
    }
    if (template.contains("<start_of_turn>")) {
      return GEMMA;
    }
    if (template.contains("[INST]")) {
      return INST;
    }
    return CHATML;
  }

  public String render(String system, String user) {
    return render(List.of(new Turn("system", system), new Turn("user", user)));
  }

  /** The conversation, ending with the assistant's turn opened. */
  public String render(List<Turn> turns) {
    StringBuilder out = new StringBuilder();
    String pendingSystem =
        null; // [INST] and Gemma have no system turn: it joins the next user turn
    for (Turn t : turns) {
      switch (this) {
        case CHATML ->
            out.append("<|im_start|>")
                .append(t.role())
                .append('\n')
                .append(t.content())
                .append("<|im_end|>\n");
        case LLAMA3 ->
            out.append("<|start_header_id|>")
                .append(t.role())
                .append("<|end_header_id|>\n\n")
                .append(t.content())
                .append("<|eot_id|>");
        case INST, GEMMA -> {
          if (t.role().equals("system")) {
            pendingSystem = t.content();
            continue;
          }
          String content =
              pendingSystem != null && t.role().equals("user")
                  ? pendingSystem + "\n\n" + t.content()
                  : t.content();
          if (t.role().equals("user")) {
            pendingSystem = null;
          }
          if (this == INST) {
            out.append(t.role().equals("user") ? "[INST] " + content + " [/INST]" : content);
          } else {
            out.append("<start_of_turn>")
                .append(t.role().equals("assistant") ? "model" : "user")
                .append('\n')
                .append(content)
                .append("<end_of_turn>\n");
          }
        }
      }
    }
    out.append(
        switch (this) {
          case CHATML -> "<|im_start|>assistant\n";
          case LLAMA3 -> "<|start_header_id|>assistant<|end_header_id|>\n\n";
          case INST -> "";
          case GEMMA -> "<start_of_turn>model\n";
        });
    return out.toString();
  }
}
