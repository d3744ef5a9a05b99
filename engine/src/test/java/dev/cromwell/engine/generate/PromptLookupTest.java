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
    assertArrayEquals(new int[] {3, 1, 2}, lookup.draft(tokens, 5, 10));
  }
}
