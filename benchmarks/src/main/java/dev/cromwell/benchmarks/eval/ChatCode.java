package dev.cromwell.benchmarks.eval;

/** The code in a chat answer, made into a module the tests can import from. */
final class ChatCode {
  private ChatCode() {}

  /** The first fenced block's code (preferring a python one), or the whole answer. */
  static String extract(String answer) {
    int open = answer.indexOf("```python");
    if (open < 0) {
      open = answer.indexOf("```");
    }
    if (open < 0) {
      return answer;
    }
    int start = answer.indexOf('\n', open);
    if (start < 0) {
      return "";
    }
    int close = answer.indexOf("```", start + 1);
    return close < 0 ? answer.substring(start + 1) : answer.substring(start + 1, close);
  }

  /**
   * The answer's code as a module: on its own (after the prompt's imports and helpers) when it
   * defines the function, else as the body that follows the prompt.
   */
  static String program(Problem p, String code) {
    if (code.contains("def " + p.entryPoint() + "(")) {
      int def = p.prompt().lastIndexOf("def " + p.entryPoint() + "(");
      return p.prompt().substring(0, Math.max(0, def)) + "\n" + code;
    }
    return p.prompt() + code;
  }
}
