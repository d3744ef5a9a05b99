package dev.cromwell.protocol.edit;

import java.util.List;

/** What a model answered to an edit request, in one of the formats we ask for. */
public sealed interface EditAnswer {
  /** The rewritten region (or whole file), usually from a fenced code block. */
  record Region(String text) implements EditAnswer {}

  /** SEARCH/REPLACE blocks, applied in order. */
  record SearchReplace(List<Block> blocks) implements EditAnswer {
    public SearchReplace {
      blocks = List.copyOf(blocks);
    }
  }

  /** Unified-diff hunks: each is a block whose search text is its context and removed lines. */
  record Diff(List<Block> hunks) implements EditAnswer {
    public Diff {
      hunks = List.copyOf(hunks);
    }
  }

  /** Replace {@code search} by {@code replace}; {@code index} counts blocks from 1 for messages. */
  record Block(int index, String search, String replace) {}
}
