package dev.cromwell.engine.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cromwell.kernels.formats.GgmlType;
import dev.cromwell.kernels.formats.WeightFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Corrupt files must fail with a GgufFormatException naming file, field and offset. */
class GgufCorruptionTest {
  @TempDir Path dir;
  byte[] valid;

  @BeforeEach
  void writeValidFile() throws IOException {
    GgufWriter w = GgufRoundTripTest.everyValueType();
    w.addTensor(
        "weights",
        GgmlType.Q8_0,
        new long[] {64, 2},
        WeightFormat.of(GgmlType.Q8_0).quantize(new float[128]));
    w.addTensor("norm", GgmlType.F32, new long[] {7}, new byte[28]);
    Path p = dir.resolve("valid.gguf");
    w.write(p);
    valid = Files.readAllBytes(p);
  }

  private GgufFormatException rejects(byte[] bytes, String label) throws IOException {
    Path p = dir.resolve("bad-" + Math.abs(label.hashCode()) + ".gguf");
    Files.write(p, bytes);
    try (GgufFile g = GgufFile.open(p)) {
      fail(label + ": a corrupt file was accepted (" + g.tensors().size() + " tensors)");
      return null;
    } catch (GgufFormatException e) {
      assertTrue(
          e.getMessage().startsWith(p.toString()),
          label + ": message must name the file: " + e.getMessage());
      assertTrue(
          e.getMessage().contains(" at byte "),
          label + ": message must give the offset: " + e.getMessage());
      return e;
    }
  }

  @Test
  void everyTruncationIsRejectedClearly() throws IOException {
    // Cut the file at every offset inside the header and at many inside the data.
    for (int cut = 0; cut < valid.length; cut += cut < 600 ? 1 : 7) {
      rejects(Arrays.copyOf(valid, cut), "truncated at " + cut);
    }
  }

  @Test
  void wrongMagicAndVersion() throws IOException {
    byte[] b = valid.clone();
    b[0] = 'X';
    assertTrue(rejects(b, "magic").getMessage().contains("not a GGUF file"));
    byte[] v = valid.clone();
    v[4] = 1;
    assertTrue(rejects(v, "version").getMessage().contains("version 1"));
    v[4] = 9;
    rejects(v, "version 9");
  }

  @Test
  void absurdCountsDoNotAllocate() throws IOException {
    for (int field : new int[] {8, 16}) {
      byte[] b = valid.clone();
      ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(field, Long.MAX_VALUE / 3);
      GgufFormatException e = rejects(b, "count at " + field);
      assertTrue(e.getMessage().contains("count"), e.getMessage());
      ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(field, -1);
      rejects(b, "negative count at " + field);
    }
    // The first key's string length.
    byte[] b = valid.clone();
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(24, 1L << 40);
    assertTrue(rejects(b, "key length").getMessage().contains("string length"));
  }

  @Test
  void unknownTypesAndBadTensorInfosAreRejected() throws IOException {
    // Metadata value type of the first key "u8": after magic, version, counts, key length and key.
    int typeOffset = 24 + 8 + 2;
    byte[] b = valid.clone();
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(typeOffset, 99);
    assertTrue(rejects(b, "value type").getMessage().contains("unknown metadata value type"));

    int info = indexOf(valid, "weights".getBytes()) - 8; // tensor info starts with its name
    int nDims = info + 8 + 7;
    byte[] dims = valid.clone();
    ByteBuffer.wrap(dims).order(ByteOrder.LITTLE_ENDIAN).putInt(nDims, 77);
    assertTrue(rejects(dims, "dims").getMessage().contains("dimensions"));

    byte[] zeroDim = valid.clone();
    ByteBuffer.wrap(zeroDim).order(ByteOrder.LITTLE_ENDIAN).putLong(nDims + 4, 0);
    rejects(zeroDim, "zero dimension");

    byte[] hugeDim = valid.clone();
    ByteBuffer.wrap(hugeDim).order(ByteOrder.LITTLE_ENDIAN).putLong(nDims + 4 + 8, 1L << 40);
    assertTrue(rejects(hugeDim, "huge dimension").getMessage().contains("do not fit"));

    int typeAt = nDims + 4 + 16;
    byte[] badType = valid.clone();
    ByteBuffer.wrap(badType).order(ByteOrder.LITTLE_ENDIAN).putInt(typeAt, 1234);
    assertTrue(rejects(badType, "tensor type").getMessage().contains("unknown tensor type"));

    byte[] misaligned = valid.clone();
    ByteBuffer.wrap(misaligned).order(ByteOrder.LITTLE_ENDIAN).putLong(typeAt + 4, 3);
    assertTrue(rejects(misaligned, "offset").getMessage().contains("alignment"));

    byte[] blocks = valid.clone();
    ByteBuffer.wrap(blocks).order(ByteOrder.LITTLE_ENDIAN).putLong(nDims + 4, 33);
    assertTrue(rejects(blocks, "block size").getMessage().contains("block size"));
  }

  @Test
  void badAlignmentIsRejected() throws IOException {
    GgufWriter w = new GgufWriter();
    w.put("general.alignment", new MetadataValue.Int(GgufValueType.UINT32, 24));
    Path p = dir.resolve("align.gguf");
    assertThrows(Exception.class, () -> w.write(p));
    GgufWriter w2 = new GgufWriter();
    w2.put("general.alignment", new MetadataValue.Int(GgufValueType.UINT32, 32));
    w2.write(p);
    byte[] b = Files.readAllBytes(p);
    int at = indexOf(b, "general.alignment".getBytes()) + "general.alignment".length() + 4;
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, 24);
    assertTrue(rejects(b, "alignment").getMessage().contains("power of two"));
  }

  @Test
  void randomByteFlipsNeverEscapeAsOtherExceptions() throws IOException {
    java.util.Random rnd = new java.util.Random(11);
    int headerEnd = indexOf(valid, "norm".getBytes()) + 40;
    for (int i = 0; i < 400; i++) {
      byte[] b = valid.clone();
      int at = rnd.nextInt(headerEnd);
      b[at] = (byte) rnd.nextInt(256);
      Path p = dir.resolve("flip.gguf");
      Files.write(p, b);
      try (GgufFile g = GgufFile.open(p)) {
        assertEquals(2, g.tensors().size(), "flip at " + at);
      } catch (GgufFormatException expected) {
        // A clear rejection is fine; anything else fails the test.
      }
    }
  }

  @Test
  void missingFileAndDirectoryGiveIoErrorsNamingThePath() {
    var e =
        assertThrows(
            java.io.UncheckedIOException.class, () -> GgufFile.open(dir.resolve("nope.gguf")));
    assertTrue(e.getMessage().contains("nope.gguf"), e.getMessage());
    var d = assertThrows(java.io.UncheckedIOException.class, () -> GgufFile.open(dir));
    assertTrue(d.getMessage().contains("directory"), d.getMessage());
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }
}
