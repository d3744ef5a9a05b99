package dev.cromwell.lsp;

import java.util.Optional;
import org.eclipse.lsp4j.Command;
import org.eclipse.lsp4j.CompletionItem;
import org.eclipse.lsp4j.CompletionItemKind;
import org.eclipse.lsp4j.CompletionList;
import org.eclipse.lsp4j.InlineCompletionItem;
import org.eclipse.lsp4j.InlineCompletionList;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.TextEdit;
import org.eclipse.lsp4j.jsonrpc.messages.Either;

/**
 * A suggestion as the LSP answers that carry it: ghost text for clients with inline completions, a
 * completion item for the others. Either one reports its acceptance with {@code cromwell.accepted}.
 */
final class CompletionItems {
  static final String ACCEPTED_COMMAND = "cromwell.accepted";

  private CompletionItems() {}

  /** A suggestion with the range it replaces, in the client's positions. */
  record Placed(Suggestion suggestion, Range range) {}

  static InlineCompletionList inline(Optional<Placed> found) {
    return new InlineCompletionList(found.map(CompletionItems::inlineItem).stream().toList());
  }

  static CompletionList completion(Optional<Placed> found) {
    return new CompletionList(false, found.map(CompletionItems::completionItem).stream().toList());
  }

  private static InlineCompletionItem inlineItem(Placed f) {
    InlineCompletionItem item = new InlineCompletionItem();
    item.setInsertText(f.suggestion().text());
    item.setRange(f.range());
    item.setCommand(accepted());
    return item;
  }

  private static CompletionItem completionItem(Placed f) {
    String text = f.suggestion().text();
    CompletionItem item = new CompletionItem(firstLine(text));
    item.setKind(CompletionItemKind.Text);
    item.setDetail("Cromwell");
    item.setTextEdit(Either.forLeft(new TextEdit(f.range(), text)));
    item.setFilterText(text);
    item.setCommand(accepted());
    return item;
  }

  private static Command accepted() {
    return new Command("Cromwell: suggestion accepted", ACCEPTED_COMMAND);
  }

  private static String firstLine(String text) {
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline) + " …";
  }
}
