package dev.dockhand.it.docker;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.it.examples.Examples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The image under test, built once per test JVM: {@code -Ddockhand.it.image=IMAGE} names one to use
 * as it is; otherwise {@code image/Dockerfile} is built from the repository root on
 * {@code -Ddockhand.base.image} (made by image/build-base-image.sh when it is the local default).
 */
final class DockhandImage {
    private DockhandImage() {}

    /**
     * One tag per checkout: several worktrees on one machine share the engine, and a build in one
     * must not replace the image that another one's tests are running.
     */
    static final String TAG = "dockhand:it-" + Integer.toHexString(Examples.repoRoot().toAbsolutePath().normalize().toString().hashCode());
    static final String LOCAL_BASE = "dockhand/jre17-base:bookworm";
    private static String image;

    static synchronized String get() {
        if (image != null) {
            return image;
        }
        String given = System.getProperty("dockhand.it.image", "");
        if (!given.isBlank()) {
            Docker.docker("image", "inspect", given).ok();
            return image = given;
        }
        Path root = Examples.repoRoot();
        for (String input : List.of("agent/target/agent.jar", "image/target/dist", "templates/catalog.json")) {
            assertTrue(Files.exists(root.resolve(input)), input + " is missing: build it first (mvn -B -Pdocker -pl it -am verify builds the agent and image modules)");
        }
        String base = System.getProperty("dockhand.base.image", LOCAL_BASE);
        if (Docker.docker("image", "inspect", base).exit() != 0) {
            assertTrue(base.equals(LOCAL_BASE), "base image " + base + " is not in the engine: pull or build it first");
            Docker.run(List.of("bash", root.resolve("image/build-base-image.sh").toString()), root, Duration.ofMinutes(10)).ok();
        }
        Docker.run(List.of("docker", "build", "-q", "-f", "image/Dockerfile", "--build-arg", "BASE_IMAGE=" + base, "-t", TAG, "."),
                root, Duration.ofMinutes(10)).ok();
        // the image id, not the tag: a rebuild from this checkout during the run cannot swap it
        return image = Docker.inspect(TAG, "{{.Id}}");
    }
}
