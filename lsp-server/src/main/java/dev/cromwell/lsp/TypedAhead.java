package dev.cromwell.lsp;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Suggestions the user is typing out. Editors ask again at every keystroke; when the characters
 * typed since a suggestion was shown are the start of that suggestion (and nothing else in the
 * document changed), the rest of it is answered at once, without the debounce or the model: the
 * model chose those characters itself, so decoding after them again would mostly give the same rest
 * after a prefill and a token per ≈25 ms. The rest is shaped as the plain path shapes an answer at
 * the new cursor ({@link PostProcessor}, e.g. one line in mid-line), and when nothing is left the
 * model is asked as usual.
 *
 * <p>Only where the fresh prompt would be the shown one with the typed characters appended: the
 * typed characters stay on the cursor's line, and the suggestion was not made at an
 * indentation-only line, whose prompt leaves the indentation out ({@link TypedIndent}); there the
 * 135M model, asked again after " def", wrote another function name than the one it had shown
 * (TypedAheadRealModelTest), so those keystrokes go to the model.
 */
final class TypedAhead {
  /** The suggestion shown for {@code text} with the cursor at char {@code cursor}. */
  private record Shown(String text, int cursor, String suggestion) {}

  private final Map<String, Shown> shown = new ConcurrentHashMap<>();

  /** The editor was given {@code suggestion} for the cursor at char {@code offset}. */
  void shown(OpenDocument document, int offset, Suggestion suggestion) {
    CompletionContext context =
        PromptAssembler.context(
            document.text(), PromptAssembler.Cursor.of(document.text(), offset));
    if (suggestion.replaceLength() == 0 && TypedIndent.of(context).isEmpty()) {
      shown.put(document.uri(), new Shown(document.text().text(), offset, suggestion.text()));
    } else {
      // It replaces text after the cursor (typing over it is not an insertion of its start), or
      // its prompt left the typed indentation out.
      shown.remove(document.uri());
    }
  }

  /**
   * The rest of the last suggestion shown for {@code document}, when the document is that
   * suggestion's text with only the suggestion's first characters typed at its cursor, and the
   * cursor after them; empty otherwise. An answer is remembered as shown, so typing on goes on from
   * it.
   */
  Optional<Suggestion> answer(OpenDocument document, int offset) {
    Shown s = shown.get(document.uri());
    if (s == null) {
      return Optional.empty();
    }
    String now = document.text().text();
    int typed = offset - s.cursor();
    int tail = s.text().length() - s.cursor();
    if (typed <= 0
        || typed >= s.suggestion().length()
        || now.length() != s.text().length() + typed
        || !now.regionMatches(0, s.text(), 0, s.cursor())
        || !now.regionMatches(offset, s.text(), s.cursor(), tail)
        || !now.regionMatches(s.cursor(), s.suggestion(), 0, typed)
        || s.suggestion().substring(0, typed).indexOf('\n') >= 0) {
      return Optional.empty();
    }
    String rest = s.suggestion().substring(typed);
    CompletionContext context =
        PromptAssembler.context(
            document.text(), PromptAssembler.Cursor.of(document.text(), offset));
    Optional<Suggestion> answer = PostProcessor.process(rest, context);
    answer.ifPresent(a -> shown.put(document.uri(), new Shown(now, offset, a.text())));
    return answer;
  }

  /** The document was closed. */
  void forget(String uri) {
    shown.remove(uri);
  }
}
