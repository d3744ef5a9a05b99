package dev.cromwell.engine.gguf;

/** How a model file's bytes are made available to the engine. */
public enum LoadMode {
  /**
   * Map the file: loading takes milliseconds and memory is shared with the page cache, but weights
   * stream through 4 KiB pages.
   */
  MMAP,
  /**
   * Copy the file into private memory backed by huge pages where possible: loading reads the whole
   * file, and decoding then streams weights faster (see docs/PERFORMANCE.md). Q4_0 matrices whose
   * rows are a multiple of 128 weights also move to a layout of their own that decodes faster.
   */
  COPY
}
