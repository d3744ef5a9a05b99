package dev.cromwell;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.INTERFACES;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module rules of docs/ARCHITECTURE.md, checked on the compiled main classes of every module
 * (this module sees them all): dependencies point down only, protocol ← kernels ← engine ← context
 * ← lsp-server. Maven already refuses a dependency a pom does not declare; these rules also keep
 * what a pom may declare from being used the wrong way round, and say why in the failure.
 */
class ModuleRulesTest {
  private static final String[] FRONT_DOORS = {
    "dev.cromwell.lsp..", "dev.cromwell.cli..", "dev.cromwell.edit..", "dev.cromwell.benchmarks.."
  };

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.cromwell");
  }

  private static void check(ArchRule rule) {
    rule.check(classes);
  }

  @Test
  void theClassesOfEveryModuleAreImported() {
    for (String pkg :
        new String[] {
          "dev.cromwell.protocol",
          "dev.cromwell.kernels",
          "dev.cromwell.kernels.formats",
          "dev.cromwell.kernels.ops",
          "dev.cromwell.engine.model",
          "dev.cromwell.context",
          "dev.cromwell.lsp",
          "dev.cromwell.cli"
        }) {
      if (classes.stream().noneMatch(c -> c.getPackageName().equals(pkg))) {
        throw new AssertionError(
            "no main classes of " + pkg + " were imported; the rules see nothing");
      }
    }
  }

  @Test
  void kernelsKnowNoTransformer() {
    check(
        noClasses()
            .that()
            .resideInAPackage("dev.cromwell.kernels..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                "dev.cromwell.engine..", "dev.cromwell.context..", "dev.cromwell.protocol..")
            .orShould()
            .dependOnClassesThat()
            .resideInAnyPackage(FRONT_DOORS)
            .because("kernels are arithmetic on arrays and weight blocks, nothing more"));
  }

  /**
   * Every other class reaches a weight encoding through {@code WeightFormat} and its factories
   * ({@code WeightFormat.of}/{@code forWeights}, {@code RearrangedFormat.of}), so a new format or
   * layout is one class and one factory case in {@code kernels.formats}.
   */
  @Test
  void concreteFormatsAreNotUsedOutsideFormats() {
    check(
        noClasses()
            .that()
            .resideOutsideOfPackage("dev.cromwell.kernels.formats..")
            .should()
            .dependOnClassesThat(
                assignableTo(dev.cromwell.kernels.formats.WeightFormat.class).and(not(INTERFACES)))
            .because("concrete formats are package-private behind WeightFormat"));
  }

  @Test
  void kernelSubPackagesHaveNoCycles() {
    check(
        slices()
            .matching("dev.cromwell.kernels.(*)..")
            .should()
            .beFreeOfCycles()
            .because("ops use formats and layouts, formats use natives, never the other way"));
  }

  @Test
  void onlyKernelNativesLinkNativeCode() {
    check(
        noClasses()
            .that()
            .resideOutsideOfPackage("dev.cromwell.kernels.natives..")
            .should()
            .callMethod(java.lang.foreign.Linker.class, "nativeLinker")
            .because("one libc binding, kernels.natives.Libc, serves every module"));
  }

  @Test
  void theEngineKnowsNoWorkspaceAndNoFrontDoor() {
    check(
        noClasses()
            .that()
            .resideInAPackage("dev.cromwell.engine..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.cromwell.context..")
            .orShould()
            .dependOnClassesThat()
            .resideInAnyPackage(FRONT_DOORS)
            .because("the engine runs models; workspaces and editors are above it"));
  }

  @Test
  void contextKnowsNoFrontDoor() {
    check(
        noClasses()
            .that()
            .resideInAPackage("dev.cromwell.context..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(FRONT_DOORS)
            .because("the index and the planner serve every front door alike"));
  }

  /**
   * Inner layers raise typed errors and describe facts; only the front doors know their flags
   * ({@code --context}, {@code --model}) and phrase the advice. A string literal that names a flag
   * below them is a message that would be wrong for the editor and HTTP users.
   */
  @Test
  void noFlagNamesBelowTheFrontDoors() throws java.io.IOException {
    java.util.regex.Pattern flag = java.util.regex.Pattern.compile("\"[^\"]*\\s--[a-z][a-z-]+");
    java.nio.file.Path root = java.nio.file.Path.of("..").toAbsolutePath().normalize();
    java.util.List<String> found = new java.util.ArrayList<>();
    for (String module : new String[] {"protocol", "kernels", "engine", "context"}) {
      java.nio.file.Path sources = root.resolve(module).resolve("src/main/java");
      if (!java.nio.file.Files.isDirectory(sources)) {
        throw new AssertionError(sources + " is missing; run the test from its module");
      }
      try (var files = java.nio.file.Files.walk(sources)) {
        for (java.nio.file.Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
          var lines = java.nio.file.Files.readAllLines(f);
          for (int i = 0; i < lines.size(); i++) {
            if (flag.matcher(lines.get(i)).find()) {
              found.add(root.relativize(f) + ":" + (i + 1) + ": " + lines.get(i).strip());
            }
          }
        }
      }
    }
    if (!found.isEmpty()) {
      throw new AssertionError(
          "CLI flags named below the front doors:\n" + String.join("\n", found));
    }
  }

  @Test
  void protocolIsPlainValues() {
    check(
        noClasses()
            .that()
            .resideInAPackage("dev.cromwell.protocol..")
            .should()
            .dependOnClassesThat()
            .resideOutsideOfPackages("dev.cromwell.protocol..", "java..")
            .because("protocol holds values every module shares; it depends on the JDK only"));
  }
}
