package dev.cromwell.engine.tokenizer;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns a stream of token bytes into text without breaking characters: a character whose bytes span
 * several tokens is held back until its last byte arrives. Invalid bytes become U+FFFD.
 */
public final class Utf8Stream {
  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE);
  private ByteBuffer pending = ByteBuffer.allocate(0);

  /** Adds bytes and returns the text that is now complete (possibly empty). */
  public String push(byte[] bytes) {
    ByteBuffer input = ByteBuffer.allocate(pending.remaining() + bytes.length);
    input.put(pending).put(bytes).flip();
    CharBuffer out = CharBuffer.allocate(input.remaining() + 2);
    CoderResult result = decoder.decode(input, out, false);
    if (result.isOverflow()) {
      throw new IllegalStateException("UTF-8 output buffer overflow");
    }
    pending = input.slice();
    out.flip();
    return out.toString();
  }

  /** Ends the stream: bytes of an unfinished character become U+FFFD. */
  public String finish() {
    CharBuffer out = CharBuffer.allocate(pending.remaining() + 2);
    decoder.decode(pending, out, true);
    decoder.flush(out);
    decoder.reset();
    pending = ByteBuffer.allocate(0);
    out.flip();
    return out.toString();
  }
}
