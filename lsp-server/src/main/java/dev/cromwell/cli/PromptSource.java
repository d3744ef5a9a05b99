package dev.cromwell.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a prompt comes from: {@code --prompt TEXT}, or {@code --file FILE} ({@code -} = standard
 * input) for prompts longer than one command-line argument may be (128 KiB on Linux).
 */
final class PromptSource {
  private PromptSource() {}

  static String read(String prompt, String file) {
    if ((prompt == null) == (file == null)) {
      throw new IllegalArgumentException(
          "give the prompt with --prompt TEXT or --file FILE (- for standard input), not "
              + (prompt == null ? "neither" : "both"));
    }
    if (prompt != null) {
      return prompt;
    }
    try {
      if (file.equals("-")) {
        return new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
      }
      Path path = Path.of(file);
      if (!Files.isRegularFile(path)) {
        throw new IllegalArgumentException(
            file + ": no such file (--file takes a text file, or - for standard input)");
      }
      return Files.readString(path, StandardCharsets.UTF_8);
    } catch (java.nio.charset.MalformedInputException e) {
      throw new IllegalArgumentException(file + ": the prompt is not UTF-8 text", e);
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot read the prompt: " + e.getMessage(), e);
    }
  }
}
