package dev.cromwell.context;

/** A window of a candidate file and its Jaccard similarity to the code around the cursor. */
public record Snippet(IndexedFile file, int startLine, int endLine, double similarity) {}
