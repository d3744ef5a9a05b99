package dev.cromwell.engine.gguf;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, findings 4 and 8: a language client may name any file as its model. The refusal must
 * not quote the file's bytes (for /etc/shadow it showed "root"), and a FIFO must be refused at once
 * instead of blocking the loader forever.
 */
@Timeout(30)
class ModelPathTest {
  @TempDir Path dir;

  @Test
  void aFileThatIsNotGgufIsRefusedWithoutQuotingItsContent() throws Exception {
    Path secret = dir.resolve("shadow");
    Files.writeString(secret, "root:$6$saltsalt$hash:19000:0:99999:7:::\n");
    Exception e = assertThrows(RuntimeException.class, () -> GgufFile.open(secret));
    assertTrue(e.getMessage().contains("not a GGUF file"), e.getMessage());
    assertFalse(e.getMessage().contains("root"), e.getMessage());
    assertFalse(e.getMessage().contains("72 6f 6f 74"), e.getMessage());
  }

  @Test
  void aFifoIsRefusedAtOnce() throws Exception {
    Path fifo = dir.resolve("model.gguf");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertTrue(mkfifo.waitFor() == 0, "mkfifo failed");
    Exception e = assertThrows(RuntimeException.class, () -> GgufFile.open(fifo));
    assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
  }
}
