package dev.cromwell.benchmarks.eval;

import dev.cromwell.edit.EditModel;
import dev.cromwell.protocol.FimFormat;
import java.util.List;

/** An engine the benchmarks run prompts through: Cromwell's own, or a llama.cpp server. */
public sealed interface Backend permits CromwellBackend, LlamaServerBackend {
  /** The column name in the tables. */
  String name();

  /**
   * Greedy continuation of {@code prompt}; markers become special tokens, text stays text. Ends at
   * the model's end tokens, the FIM format's stop tokens, a stop string or {@code maxTokens}.
   */
  String complete(List<FimFormat.Part> prompt, int maxTokens, List<String> stops);

  /** The same engine behind {@code EditService}, for chat prompts and edits. */
  EditModel editModel();
}
