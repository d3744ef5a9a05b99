package dev.cromwell.context;

import java.util.List;
import java.util.Set;

/**
 * What the index knows about a source file's code.
 *
 * @param imports module, package or path names as written (resolved later against the index)
 * @param packageName the declared package (Java, Kotlin, Go), or empty
 * @param symbols definitions in the file
 * @param identifiers names used anywhere outside comments and strings
 */
public record SourceFacts(
    List<String> imports, String packageName, List<Symbol> symbols, Set<String> identifiers) {
  public static final SourceFacts NONE = new SourceFacts(List.of(), "", List.of(), Set.of());

  public SourceFacts {
    imports = List.copyOf(imports);
    symbols = List.copyOf(symbols);
    identifiers = Set.copyOf(identifiers);
  }
}
