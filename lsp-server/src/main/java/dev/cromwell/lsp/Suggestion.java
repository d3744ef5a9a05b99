package dev.cromwell.lsp;

/**
 * A suggestion ready for the editor: insert {@code text} in place of {@code [cursor, cursor +
 * replaceLength)} (non-zero when it swallows auto-closed brackets after the cursor).
 */
public record Suggestion(String text, int replaceLength) {}
