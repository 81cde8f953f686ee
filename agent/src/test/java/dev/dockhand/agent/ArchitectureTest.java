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
 * The agent's layering, read from its compiled classes: the picture in the README is
 * this test's, not a promise. Imports go one way, top to bottom:
 *
 * <pre>
 * cli
 * console                      control
 *                              protocol
 *                  supervise
 *          health              process
 *                  plan
 *                  render
 * catalog          metadata    resources   security
 * log   net        core        linux      json
 * </pre>
 *
 * Each package may use only the packages listed for it in {@link #ALLOWED} (and what the JDK and its
 * declared libraries give); JNA only in {@code linux}; picocli only in {@code cli}; Kafka's client and
 * Jackson only where PID 1 never goes (the console, the workbench importer's writer); no cycles.
 */
class ArchitectureTest {
    static final String ROOT = "dev.dockhand.agent";

    /** Package -> the agent packages it may use. */
    static final Map<String, Set<String>> ALLOWED = new LinkedHashMap<>();

    static {
        ALLOWED.put("json", Set.of());
        ALLOWED.put("linux", Set.of());
        ALLOWED.put("core", Set.of("json"));
        ALLOWED.put("log", Set.of("core"));
        ALLOWED.put("net", Set.of("core"));
        ALLOWED.put("catalog", Set.of("core", "json", "linux"));
        ALLOWED.put("metadata", Set.of("core", "json"));
        ALLOWED.put("resources", Set.of("core"));
        ALLOWED.put("security", Set.of("core"));
        ALLOWED.put("render", Set.of("core", "catalog", "metadata", "security"));
        ALLOWED.put("plan", Set.of("core", "catalog", "metadata", "resources", "render", "security"));
        ALLOWED.put("process", Set.of("core", "linux"));
        // health: a secured node's probes speak TLS with the node's certificate
        ALLOWED.put("health", Set.of("core", "catalog", "process", "linux", "security"));
        ALLOWED.put("supervise", Set.of("core", "catalog", "plan", "render", "health", "process", "linux", "security"));
        ALLOWED.put("protocol", Set.of("core", "json", "supervise"));
        ALLOWED.put("control", Set.of("core", "json", "net", "protocol", "supervise"));
        // security: the console's HTTPS, its login against the users file, its clients' TLS contexts
        ALLOWED.put("console", Set.of("core", "json", "log", "net", "protocol", "supervise", "security"));
        // access: a secured cluster's users and ACLs through Kafka's AdminClient (agent-console.jar only)
        ALLOWED.put("access", Set.of("core", "log", "security"));
        ALLOWED.put("cli", Set.of("core", "json", "log", "linux", "catalog", "metadata", "resources", "security", "render", "plan", "process",
                "health", "supervise", "protocol", "control", "console", "access"));
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
        org.junit.jupiter.api.Assertions.assertEquals(List.of(), unknown, "a new package needs its row in ALLOWED");
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
}
