package dev.dockhand.agent;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent's layering, read from its compiled classes, and the picture in the README, read from the
 * README: the two must be the same, so the picture is this test's, not a promise. A package may use
 * the packages of the layers below its own, never one of its own layer or above (the rows of
 * {@link #LAYERS}, top to bottom); JNA only in {@code linux}; picocli only in {@code cli}; Kafka's
 * client and Jackson only where PID 1 never goes (the console, the catalog's writer that import-workbench uses); no
 * cycles. There are no exceptions to the layers: a need for one is a class in the wrong package.
 */
class ArchitectureTest {
    static final String ROOT = "dev.dockhand.agent";

    /** The layers, top to bottom: each package may use the packages of the rows below its own. */
    static final List<List<String>> LAYERS = List.of(
            List.of("cli"),
            List.of("console", "control", "access", "workbench"),
            List.of("supervise"),
            List.of("health"),
            List.of("plan", "process"),
            List.of("render"),
            List.of("catalog", "metadata", "resources", "security", "protocol", "log", "net"),
            List.of("core", "linux"),
            List.of("json"));

    /** Package -> the agent packages it may use: those of the layers below it. */
    static final Map<String, Set<String>> ALLOWED = new LinkedHashMap<>();

    static {
        for (int i = 0; i < LAYERS.size(); i++) {
            Set<String> below = new java.util.HashSet<>();
            LAYERS.subList(i + 1, LAYERS.size()).forEach(below::addAll);
            for (String p : LAYERS.get(i)) {
                ALLOWED.put(p, below);
            }
        }
    }

    static JavaClasses classes;

    @BeforeAll
    static void importTheAgent() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT);
    }

    @Test
    void everyPackageUsesOnlyTheLayersBelowIt() {
        List<String> packages = new ArrayList<>();
        classes.forEach(c -> {
            String p = c.getPackageName();
            if (p.startsWith(ROOT + ".")) {
                String top = p.substring(ROOT.length() + 1).split("\\.")[0];
                if (!packages.contains(top)) {
                    packages.add(top);
                }
            }
        });
        List<String> unknown = packages.stream().filter(p -> !ALLOWED.containsKey(p)).toList();
        org.junit.jupiter.api.Assertions.assertEquals(List.of(), unknown, "a new package needs its place in LAYERS (and in the README's picture)");
        for (var row : ALLOWED.entrySet()) {
            List<String> forbidden = ALLOWED.keySet().stream()
                    .filter(p -> !p.equals(row.getKey()) && !row.getValue().contains(p))
                    .map(p -> ROOT + "." + p + "..")
                    .toList();
            noClasses().that().resideInAPackage(ROOT + "." + row.getKey() + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(forbidden.toArray(String[]::new))
                    .because(row.getKey() + " may use only " + row.getValue())
                    .check(classes);
        }
    }

    @Test
    void noPackageCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void onlyLinuxTouchesJna() {
        noClasses().that().resideOutsideOfPackage(ROOT + ".linux..")
                .should().dependOnClassesThat().resideInAPackage("com.sun.jna..")
                .check(classes);
    }

    @Test
    void onlyTheCommandsKnowPicocli() {
        noClasses().that().resideOutsideOfPackage(ROOT + ".cli..")
                .should().dependOnClassesThat().resideInAPackage("picocli..")
                .check(classes);
    }

    /**
     * The users module ({@code dev.dockhand.users}, shared with the registry) sits outside the agent's
     * packages, so {@link #ALLOWED} has no row for it: it is used where users are, the users file
     * ({@code security}), the console's logins and the ACLs a role gives ({@code access}).
     */
    @Test
    void theUsersModuleIsUsedWhereUsersAre() {
        noClasses().that().resideOutsideOfPackages(ROOT + ".security..", ROOT + ".console..", ROOT + ".access..")
                .and().resideInAPackage(ROOT + "..")
                .should().dependOnClassesThat().resideInAPackage("dev.dockhand.users..")
                .check(classes);
    }

    @Test
    void kafkaClientsAndJacksonStayWherePid1NeverGoes() {
        noClasses().that().resideOutsideOfPackages(ROOT + ".console..", ROOT + ".access..")
                .should().dependOnClassesThat().resideInAPackage("org.apache.kafka..")
                .check(classes);
        // the protocol's records carry Jackson's @JsonInclude for the tests' reference: annotations the
        // agent never asks for, so the JVM never loads them (see control/package-info)
        noClasses().that().resideOutsideOfPackages(ROOT + ".console..")
                .and().doNotHaveFullyQualifiedName(ROOT + ".catalog.CatalogWriter")
                .and().resideOutsideOfPackage(ROOT + ".protocol..")
                .should().dependOnClassesThat().resideInAPackage("com.fasterxml.jackson..")
                .check(classes);
        noClasses().that().resideInAPackage(ROOT + ".protocol..")
                .should().dependOnClassesThat().resideInAPackage("com.fasterxml.jackson.databind..")
                .check(classes);
    }

    /**
     * The README's picture of the layers (the block after "packages import downwards only"): on each
     * line the packages of one layer, two spaces apart, then after three spaces or more what they do.
     */
    @Test
    void theReadmePictureIsTheLayers() throws Exception {
        java.nio.file.Path readme = java.nio.file.Path.of("..", "README.md");
        String text = java.nio.file.Files.readString(readme);
        int at = text.indexOf("packages import downwards only");
        org.junit.jupiter.api.Assertions.assertTrue(at >= 0, "README.md says how the packages import");
        int open = text.indexOf("```\n", at) + 4;
        String block = text.substring(open, text.indexOf("```", open));
        List<List<String>> picture = new ArrayList<>();
        for (String line : block.split("\n")) {
            String left = line.split(" {3,}")[0].strip();
            if (!left.isEmpty()) {
                picture.add(List.of(left.split(" {2}")));
            }
        }
        org.junit.jupiter.api.Assertions.assertEquals(LAYERS, picture, "README.md's picture of the layers differs from ArchitectureTest.LAYERS");
    }
}
