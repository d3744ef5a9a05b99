package dev.cromwell.engine.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class PromptLookupTest {
  private final PromptLookup lookup = new PromptLookup(new Speculation(true, 3, 2, 4));

  @Test
  void proposesWhatFollowedTheLatestEarlierOccurrence() {
    //                 0  1  2  3  4  5  6  7  8  9
    int[] tokens = {1, 2, 3, 9, 1, 2, 3, 7, 8, 1, 2, 3};
    assertArrayEquals(new int[] {7, 8, 1, 2}, lookup.draft(tokens, tokens.length, 10));
  }

  @Test
  void prefersTheLongestSuffix() {
    // The 3-gram 5 1 2 occurs at 0 (followed by 6); the 2-gram 1 2 occurs later, at 4 (then 9).
    int[] tokens = {5, 1, 2, 6, 1, 2, 9, 5, 1, 2};
    assertArrayEquals(new int[] {6, 1, 2, 9}, lookup.draft(tokens, tokens.length, 10));
  }

  @Test
  void respectsTheLimitAndTheMinimumNgram() {
    int[] tokens = {1, 2, 3, 4, 5, 1, 2};
    assertArrayEquals(new int[] {3, 4}, lookup.draft(tokens, tokens.length, 2));
    assertArrayEquals(new int[0], lookup.draft(tokens, tokens.length, 0));
    // Only the last token (a 1-gram) recurs: below the minimum of 2.
    int[] single = {4, 1, 7, 8, 4};
    assertArrayEquals(new int[0], lookup.draft(single, single.length, 10));
  }

  @Test
  void looksOnlyAtTheGivenLength() {
    int[] tokens = {1, 2, 3, 1, 2, 99, 99};
    // 1 2 3 1 2 repeats 1 2 3 from 0: the draft goes on repeating it.
    assertArrayEquals(new int[] {3, 1, 2, 3}, lookup.draft(tokens, 5, 10));
  }

  @Test
  void aCopyThatReachesTheEndRepeats() {
    int[] loop = {7, 5, 6, 8, 5, 6, 8, 5, 6};
    assertArrayEquals(new int[] {8, 5, 6, 8}, lookup.draft(loop, loop.length, 10));
  }

  //                                 0   1   2   3   4   5   6   7   8   9  10  11  12  13
  private static final int[] COPY = {10, 11, 12, 13, 14, 15, 16, 17, 14, 15, 16, 50, 10, 11};

  @Test
  void continuesTheLastCopyInsteadOfSearching() {
    // 10 11 is copied from 0: the draft is what followed there.
    assertArrayEquals(new int[] {12, 13, 14, 15}, lookup.draft(COPY, COPY.length, 10));
    // Chosen whole, and the next token 16 follows the copy too. A search for the last three
    // tokens, 14 15 16, would find their later repeat at 8 and propose 50; the copy goes on at 7.
    int[] after = extended(12, 13, 14, 15, 16);
    assertArrayEquals(new int[] {17, 14, 15, 16}, lookup.draft(after, after.length, 10));
    assertArrayEquals(
        new int[] {50, 10, 11, 12},
        new PromptLookup(new Speculation(true, 3, 2, 4)).draft(after, after.length, 10),
        "a fresh lookup searches");
  }

  @Test
  void searchesAgainWhenTheTextLeavesTheCopy() {
    assertArrayEquals(new int[] {12, 13, 14, 15}, lookup.draft(COPY, COPY.length, 10));
    // The text went 12 13 then 16, not 14: the copy is off; 13 16 occurs nowhere, so no draft
    // (continuing the copy would have proposed 15 16 17 14).
    int[] after = extended(12, 13, 16);
    assertArrayEquals(new int[0], lookup.draft(after, after.length, 10));
  }

  private static int[] extended(int... more) {
    int[] out = java.util.Arrays.copyOf(COPY, COPY.length + more.length);
    System.arraycopy(more, 0, out, COPY.length, more.length);
    return out;
  }
}
