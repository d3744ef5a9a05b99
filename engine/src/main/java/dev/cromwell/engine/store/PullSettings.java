package dev.cromwell.engine.store;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where pulls look: the Python package index (pip's, see {@link PipConfig}) and the Hugging Face
 * endpoint ({@code HF_ENDPOINT}, as the Hugging Face tools read it).
 */
public record PullSettings(String indexUrl, String hfEndpoint) {
  public static final String PUBLIC_HF = "https://huggingface.co";

  public static PullSettings fromEnvironment() {
    return from(System.getenv(), Path.of(System.getProperty("user.home")));
  }

  public static PullSettings from(Map<String, String> env, Path userHome) {
    String hf = env.get("HF_ENDPOINT");
    return new PullSettings(
        PipConfig.indexUrl(env, userHome), hf == null || hf.isBlank() ? PUBLIC_HF : hf.trim());
  }
}
