package dev.cromwell.kernels.formats;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The one list of tensor types Cromwell computes with, derived from {@link WeightFormat#find}, and
 * of those that {@code --load copy} lays out again ({@link RearrangedFormat}). Kernel tests, help
 * texts, error messages and the README's table all read it, so a new type is tested and documented
 * the moment its format exists.
 */
public final class TensorTypes {
  private TensorTypes() {}

  /** Types the kernels compute with, in GGUF id order. */
  public static List<GgmlType> computable() {
    return Arrays.stream(GgmlType.values()).filter(TensorTypes::hasFormat).toList();
  }

  /** Computable types whose rows {@code --load copy} moves to a faster layout. */
  public static List<GgmlType> rearranged() {
    return computable().stream().filter(t -> RearrangedFormat.of(t, 256 * 4).isPresent()).toList();
  }

  /** "F32, F16, …": names for help texts and messages. */
  public static String names(List<GgmlType> types) {
    return types.stream().map(GgmlType::name).collect(Collectors.joining(", "));
  }

  /** The README's table of tensor types (between its {@code tensor-types} markers). */
  public static String markdownTable() {
    StringBuilder sb = new StringBuilder();
    sb.append("| type | weights per block | bytes per block | bits per weight | `--load copy` |\n");
    sb.append("|---|---:|---:|---:|---|\n");
    List<GgmlType> rearranged = rearranged();
    for (GgmlType t : computable()) {
      sb.append(
          String.format(
              java.util.Locale.ROOT,
              "| %s | %d | %d | %.2f | %s |%n",
              t.name(),
              t.blockSize(),
              t.blockBytes(),
              8.0 * t.blockBytes() / t.blockSize(),
              rearranged.contains(t) ? "rearranged" : "mapped as is"));
    }
    return sb.toString();
  }

  private static boolean hasFormat(GgmlType type) {
    return WeightFormat.find(type).isPresent();
  }

  /** Prints the README table, for pasting between the markers. */
  public static void main(String[] args) {
    System.out.print(markdownTable());
  }
}
