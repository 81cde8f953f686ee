package dev.dockhand.agent.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * What a test needs from the machine (root, namespaces, a tool, a built file). A developer without it
 * sees the test skipped with the reason; under {@code CI=true} the same test fails with the reason,
 * because CI's machine is made able to run everything ({@code .ci/run}) and a skip there would hide
 * what was not proven. The one copy for the agent's tests and it/ (agent's test-jar); it/ also reaches
 * it as {@code dev.dockhand.it.lab.Need}, a name with no code of its own.
 */
public class Need {
    /** Static methods only; extended by it/'s name for it, never made. */
    protected Need() {}

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
        that(onPath(name), () -> "'" + name + "' is not on PATH (Debian package " + debianPackage + "; .ci/run installs it)");
    }

    /** An executable at {@code path}, from the Debian package {@code debianPackage}. */
    public static void executable(Path path, String debianPackage) {
        that(Files.isExecutable(path), () -> "no " + path + " (Debian package " + debianPackage + "; .ci/run installs it)");
    }

    /** Root: the uid of this process is 0. */
    public static void root(String forWhat) {
        that(isRoot(), () -> "needs root " + forWhat);
    }

    private static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** Whether an executable {@code name} is in a directory of PATH. */
    public static boolean onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }
}
