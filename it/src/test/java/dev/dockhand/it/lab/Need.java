package dev.dockhand.it.lab;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * What a test needs from the machine (root, namespaces, a tool, a built file). A developer without it
 * sees the test skipped with the reason; under {@code CI=true} the same test fails with the reason,
 * because CI's machine is made able to run everything ({@code .ci/run}) and a skip there would hide
 * what was not proven.
 */
public final class Need {
    private Need() {}

    /** Whether this run is CI's: the environment variable {@code CI} is {@code true}. */
    public static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Skips for a developer, fails under CI, when {@code met} is false. */
    public static void that(boolean met, Supplier<String> why) {
        if (met) {
            return;
        }
        if (ci()) {
            throw new AssertionError("CI=true and this test cannot run: " + why.get());
        }
        assumeTrue(false, why);
    }

    /** Like {@link #that}: {@code unmetReason} is null when the need is met. */
    public static void none(String unmetReason) {
        that(unmetReason == null, () -> unmetReason);
    }

    /** An executable on PATH, from the Debian package {@code debianPackage}. */
    public static void tool(String name, String debianPackage) {
        that(Cmd.onPath(name), () -> "'" + name + "' is not on PATH (Debian package " + debianPackage + "; .ci/run installs it)");
    }

    /** An executable at {@code path}, from the Debian package {@code debianPackage}. */
    public static void executable(Path path, String debianPackage) {
        that(Files.isExecutable(path), () -> "no " + path + " (Debian package " + debianPackage + "; .ci/run installs it)");
    }
}
