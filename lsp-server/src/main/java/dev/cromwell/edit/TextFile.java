package dev.cromwell.edit;

import dev.cromwell.context.TextDecoder;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A text file as read from disk, remembering what writing it back must keep: the encoding and its
 * byte-order mark, the line endings, and a hash of the bytes (to notice changes on disk).
 *
 * @param text the content with "\n" line breaks
 * @param folderKey the file key of the folder holding the file when it was read, to notice a folder
 *     moved or swapped for a link before the file is written back (null where there are none)
 */
public record TextFile(
    Path path, String text, String encoding, boolean crlf, String hash, Object folderKey) {

  public static TextFile read(Path path) throws IOException {
    byte[] bytes = Files.readAllBytes(path);
    TextDecoder.Decoded decoded = TextDecoder.decode(bytes);
    if (decoded.binary()) {
      throw new IOException(path + " looks binary; refusing to edit it");
    }
    String raw = decoded.text();
    boolean crlf = raw.contains("\r\n");
    return new TextFile(
        path,
        crlf ? raw.replace("\r\n", "\n") : raw,
        decoded.encoding(),
        crlf,
        hash(bytes),
        folderKey(path));
  }

  /**
   * The file key (device and inode on Unix) of the folder holding {@code file}, links not followed.
   */
  static Object folderKey(Path file) throws IOException {
    return Files.readAttributes(
            file.toAbsolutePath().getParent(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
        .fileKey();
  }

  /**
   * The bytes of {@code newText} written the way this file was: same encoding, BOM and line ends.
   */
  public byte[] encode(String newText) {
    String out = crlf ? newText.replace("\r\n", "\n").replace("\n", "\r\n") : newText;
    return switch (encoding) {
      case "UTF-8 BOM" ->
          concat(
              new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
              out.getBytes(StandardCharsets.UTF_8));
      case "UTF-16LE BOM" ->
          concat(new byte[] {(byte) 0xFF, (byte) 0xFE}, out.getBytes(StandardCharsets.UTF_16LE));
      case "UTF-16BE BOM" ->
          concat(new byte[] {(byte) 0xFE, (byte) 0xFF}, out.getBytes(StandardCharsets.UTF_16BE));
      case "ISO-8859-1" -> encodeStrict(out, StandardCharsets.ISO_8859_1);
      default -> out.getBytes(StandardCharsets.UTF_8);
    };
  }

  private byte[] encodeStrict(String text, Charset charset) {
    if (!charset.newEncoder().canEncode(text)) {
      throw new IllegalArgumentException(
          path
              + " is "
              + charset
              + " and the edit adds characters it cannot hold; refusing to change its encoding");
    }
    return text.getBytes(charset);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static String hash(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
