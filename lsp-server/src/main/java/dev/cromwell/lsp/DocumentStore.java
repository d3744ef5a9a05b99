package dev.cromwell.lsp;

import dev.cromwell.protocol.PositionEncoding;
import dev.cromwell.protocol.TextDocument;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.TextDocumentContentChangeEvent;

/** The documents open in the editor, kept in sync through full and incremental changes. */
public final class DocumentStore {
  private final Map<String, OpenDocument> documents = new ConcurrentHashMap<>();
  private volatile PositionEncoding encoding = PositionEncoding.UTF16;

  public void setEncoding(PositionEncoding encoding) {
    this.encoding = encoding;
  }

  public PositionEncoding encoding() {
    return encoding;
  }

  public OpenDocument open(String uri, String languageId, int version, String text) {
    OpenDocument d =
        new OpenDocument(uri, pathOf(uri), languageId, version, new TextDocument(text));
    documents.put(uri, d);
    return d;
  }

  /** Applies changes in order; a change without a range replaces the whole text. */
  public OpenDocument change(
      String uri, int version, List<TextDocumentContentChangeEvent> changes) {
    OpenDocument d = documents.get(uri);
    if (d == null) {
      throw new IllegalArgumentException("didChange for a document that is not open: " + uri);
    }
    TextDocument text = d.text();
    for (TextDocumentContentChangeEvent c : changes) {
      if (c.getRange() == null) {
        text = new TextDocument(c.getText());
      } else {
        int from = offset(text, c.getRange().getStart());
        int to = offset(text, c.getRange().getEnd());
        text = text.replace(Math.min(from, to), Math.max(from, to), c.getText());
      }
    }
    OpenDocument updated = new OpenDocument(uri, d.path(), d.languageId(), version, text);
    documents.put(uri, updated);
    return updated;
  }

  public void close(String uri) {
    documents.remove(uri);
  }

  public Optional<OpenDocument> get(String uri) {
    return Optional.ofNullable(documents.get(uri));
  }

  public int size() {
    return documents.size();
  }

  /** Char offset of an LSP position in the negotiated encoding. */
  public int offset(TextDocument text, Position p) {
    return text.offset(p.getLine(), p.getCharacter(), encoding);
  }

  /** LSP position of a char offset in the negotiated encoding. */
  public Position position(TextDocument text, int offset) {
    return new Position(text.lineOf(offset), text.columnOf(offset, encoding));
  }

  static Path pathOf(String uri) {
    try {
      URI u = URI.create(uri);
      return "file".equals(u.getScheme()) ? Path.of(u) : null;
    } catch (RuntimeException e) {
      return null;
    }
  }
}
