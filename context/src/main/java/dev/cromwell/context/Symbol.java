package dev.cromwell.context;

/**
 * A definition found in a file: a function, method, class or type, with its 0-based line range
 * (inclusive).
 */
public record Symbol(String name, String kind, int line, int endLine) {}
