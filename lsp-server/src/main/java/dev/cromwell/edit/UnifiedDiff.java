package dev.cromwell.edit;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import java.util.Arrays;
import java.util.List;

/** Old and new text of a file as the lines of a unified diff ({@code a/name}, {@code b/name}). */
public final class UnifiedDiff {
  private UnifiedDiff() {}

  public static List<String> lines(String name, String before, String after, int context) {
    List<String> a = Arrays.asList(before.split("\n", -1));
    List<String> b = Arrays.asList(after.split("\n", -1));
    return UnifiedDiffUtils.generateUnifiedDiff(
        "a/" + name, "b/" + name, a, DiffUtils.diff(a, b), context);
  }
}
