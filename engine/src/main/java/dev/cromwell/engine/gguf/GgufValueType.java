package dev.cromwell.engine.gguf;

/** The value types of GGUF metadata, with their ids and fixed sizes (0 for variable-size). */
public enum GgufValueType {
  UINT8(0, 1),
  INT8(1, 1),
  UINT16(2, 2),
  INT16(3, 2),
  UINT32(4, 4),
  INT32(5, 4),
  FLOAT32(6, 4),
  BOOL(7, 1),
  STRING(8, 0),
  ARRAY(9, 0),
  UINT64(10, 8),
  INT64(11, 8),
  FLOAT64(12, 8);

  private final int id;
  private final int size;

  GgufValueType(int id, int size) {
    this.id = id;
    this.size = size;
  }

  public int id() {
    return id;
  }

  /** Bytes of one value, or 0 for strings and arrays. */
  public int size() {
    return size;
  }

  /** Smallest number of bytes one value of this type can occupy in a file. */
  public int minimumSize() {
    return switch (this) {
      case STRING -> 8; // the length alone
      case ARRAY -> 12; // element type + count
      default -> size;
    };
  }

  public boolean isInteger() {
    return switch (this) {
      case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
      default -> false;
    };
  }

  /** The type with this id, or {@code null}. */
  public static GgufValueType fromId(long id) {
    for (GgufValueType t : values()) {
      if (t.id == id) {
        return t;
      }
    }
    return null;
  }
}
