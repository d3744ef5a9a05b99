package dev.cromwell.protocol.edit;

/**
 * Renders a system + user conversation for an instruct model. Rather than interpreting the Jinja of
 * {@code tokenizer.chat_template}, it recognizes the template's family from its markers — ChatML
 * (Qwen, many others), Llama 3, Llama 2 / Mistral {@code [INST]}, Gemma — and writes the turns the
 * way that family's template does, ending with the assistant's turn opened. Unknown templates get
 * ChatML, the most common one.
 */
public enum ChatTemplate {
  CHATML,
  LLAMA3,
  INST,
  GEMMA;

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
    return switch (this) {
      case CHATML ->
          "<|im_start|>system\n"
              + system
              + "<|im_end|>\n<|im_start|>user\n"
              + user
              + "<|im_end|>\n<|im_start|>assistant\n";
      case LLAMA3 ->
          "<|start_header_id|>system<|end_header_id|>\n\n"
              + system
              + "<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n"
              + user
              + "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n";
      case INST -> "[INST] " + system + "\n\n" + user + " [/INST]";
      case GEMMA ->
          "<start_of_turn>user\n"
              + system
              + "\n\n"
              + user
              + "<end_of_turn>\n<start_of_turn>model\n";
    };
  }
}
