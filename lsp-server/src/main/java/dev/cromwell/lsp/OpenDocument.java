package dev.cromwell.lsp;

import dev.cromwell.protocol.TextDocument;
import java.nio.file.Path;

/**
 * A document the editor has open: its text as the editor sees it, and the version the editor gave
 * it.
 *
 * @param path the file path for file: URIs, else null
 */
public record OpenDocument(
    String uri, Path path, String languageId, int version, TextDocument text) {}
