package dev.cromwell.lsp.rpc;

/**
 * Bounds on what one JSON-RPC frame may cost: a header line, a message body, and a run of bytes
 * without any header after which the peer is taken not to speak JSON-RPC at all.
 */
public record FrameLimits(int headerLineBytes, long messageBytes, long garbageBytes) {
  /** The default message cap, in MiB; {@code cromwell lsp --max-message-mb} changes it. */
  public static final int DEFAULT_MESSAGE_MB = 64;

  public FrameLimits {
    if (headerLineBytes < 64 || messageBytes < 1024 || garbageBytes < 1024) {
      throw new IllegalArgumentException(
          "frame limits too small: header line "
              + headerLineBytes
              + ", message "
              + messageBytes
              + ", garbage "
              + garbageBytes);
    }
    if (messageBytes > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException(
          "the message limit must be under 2 GiB, got " + messageBytes + " bytes");
    }
  }

  /** 8 KiB header lines, 64 MiB messages, 64 MiB of garbage in a row. */
  public static FrameLimits defaults() {
    return withMessageMegabytes(DEFAULT_MESSAGE_MB);
  }

  public static FrameLimits withMessageMegabytes(int megabytes) {
    if (megabytes < 1 || megabytes > 1024) {
      throw new IllegalArgumentException(
          "--max-message-mb must be between 1 and 1024, got " + megabytes);
    }
    return new FrameLimits(8192, (long) megabytes << 20, 64L << 20);
  }
}
