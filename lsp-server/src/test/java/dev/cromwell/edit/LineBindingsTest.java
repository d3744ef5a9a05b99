package dev.cromwell.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LineBindingsTest {
  @Test
  void theNamesALineBindsAreItsTargetsOnly() {
    assertEquals(Set.of("i", "x"), LineBindings.boundBy("for i, x in enumerate(xs):"));
    assertEquals(Set.of("a", "b"), LineBindings.boundBy("a, b = b, a + b"));
    assertEquals(Set.of("n"), LineBindings.boundBy("n += len(xs)"));
    assertEquals(Set.of("m"), LineBindings.boundBy("if (m := best(xs)) is not None:"));
    assertEquals(Set.of("f"), LineBindings.boundBy("with open(p) as f:"));
    assertEquals(Set.of("k", "v"), LineBindings.boundBy("return sorted(d, key=lambda k, v: v)"));
    // A lambda's default value is a use: only each part's leading name is a parameter.
    assertEquals(Set.of("x", "k"), LineBindings.scoped("f = lambda x, k=lo: x + k"));
    assertEquals(Set.of("f", "x", "k"), LineBindings.boundBy("f = lambda x, k=lo: x + k"));
    assertEquals(Set.of("total"), LineBindings.boundBy("total: int = 0"));
    assertEquals(Set.of("c"), LineBindings.boundBy("return sum(1 for c in s if c == 'a')"));
    // Comparisons, uses and attribute targets bind nothing.
    assertEquals(Set.of(), LineBindings.boundBy("if x == y or x <= 2 or x != 3:"));
    assertEquals(Set.of(), LineBindings.boundBy("return total"));
    assertEquals(Set.of(), LineBindings.boundBy("self.total = 0"));
  }

  @Test
  void onlyStatementBindingsOutliveTheirLineAndCommentsBindNothing() {
    assertEquals(Set.of("i"), LineBindings.outliving("for i in range(n):"));
    assertEquals(Set.of("s"), LineBindings.outliving("s = sum(x for x in xs)"));
    assertEquals(Set.of(), LineBindings.outliving("return [x for x in xs]"));
    assertEquals(Set.of(), LineBindings.boundBy(LineBindings.code("return y  # for x in xs")));
    assertEquals(
        "a = 1\nb = 2\n", LineBindings.code("a = 1  # one\nb = 2\n").replace("  \n", "\n"));
  }

  @Test
  void boundElsewhereCountsAssignmentsLoopsAndParameters() {
    List<String> lines = List.of("def f(xs, limit=3):", "total = 0", "for k in xs:");
    assertTrue(LineBindings.boundIn("limit", lines));
    assertTrue(LineBindings.boundIn("total", lines));
    assertTrue(LineBindings.boundIn("k", lines));
    assertFalse(LineBindings.boundIn("elem", lines));
    // A parameter whose name ends in the name after a combining mark (e, U+0301, x) is another
    // name, as Python reads it.
    assertFalse(LineBindings.boundIn("x", List.of("def f(e\u0301x):")));
    assertTrue(LineBindings.boundIn("x", List.of("def f(e\u0301, x):")));
    assertTrue(LineBindings.uses("d = abs(elem - x)", "elem"));
    assertFalse(LineBindings.uses("d = abs(elem2 - x.elem)", "elem"));
  }

  @Test
  void onlyLoopAndComprehensionNamesAreNumbered() {
    assertEquals(
        LineBindings.withScopedNamesNumbered("[x * 2 for x in xs]"),
        LineBindings.withScopedNamesNumbered("[y * 2 for y in xs]"));
    assertNotEquals(
        LineBindings.withScopedNamesNumbered("[x * 2 for x in xs]"),
        LineBindings.withScopedNamesNumbered("[x * 2 for x in ys]"));
    assertEquals("n = 1e5", LineBindings.withScopedNamesNumbered("n = 1e5"));
    // Numbered in binding order, so swapping which bound name a use reads shows as that use.
    assertEquals(
        "[\u00001 for \u00000, \u00001 in p]",
        LineBindings.withScopedNamesNumbered("[y for x, y in p]"));
    // A for statement's names are read after the line: not renameable, not numbered.
    assertEquals(Set.of(), LineBindings.scoped("for i, x in enumerate(xs):"));
    assertEquals(Set.of("c"), LineBindings.scoped("for w in (c for c in s):"));
    // Names with combining marks are whole names.
    assertEquals(Set.of("nai\u0308ve"), LineBindings.boundBy("nai\u0308ve = 1"));
  }
}
