package dev.cromwell.engine.tokenizer;

/** How one family of vocabularies turns plain text into ids and ids back into bytes. */
sealed interface TokenModel permits BpeModel, SpmModel {
  /**
   * Appends the ids of {@code text}, a fragment containing no special tokens.
   *
   * @param afterSpecial whether the fragment starts the text or follows a special token
   */
  void encode(String text, boolean afterSpecial, IntList out);

  /** Bytes that token {@code id} stands for; control tokens give their text only if asked. */
  byte[] bytes(int id, boolean renderSpecial);

  /** Whether decoding should drop one leading space that encoding added. */
  boolean stripsLeadingSpace();
}
