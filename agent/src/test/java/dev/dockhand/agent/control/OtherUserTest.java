package dev.dockhand.agent.control;

import dev.dockhand.agent.testing.Need;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real thing: the CLI run as uid 65534 (nobody) against an agent run as root. Needs root (to
 * switch user with setpriv); skipped otherwise.
 */
class OtherUserTest {
    private static final String NOBODY = "65534";
    private Path dir;
    private Path libs;

    @BeforeEach
    void setUp() throws IOException {
        Need.root("to run a client as nobody");
        Need.executable(Path.of("/usr/bin/setpriv"), "util-linux");
        // Directories nobody can traverse: /tmp itself is world-writable, JUnit's @TempDir is 0700.
        dir = Files.createTempDirectory(Path.of("/tmp"), "dockhand-uid");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        libs = copyClasspath(dir.resolve("lib"));
    }

    @AfterEach
    void tearDown() throws IOException {
        if (dir != null) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted((a, b) -> b.compareTo(a)).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void theAgentRefusesAnotherUidThatReachesTheSocket() throws Exception {
        Path socket = dir.resolve("agent.sock");
        FakeSupervisor fake = FakeSupervisor.allReady();
        try (ControlServer ignored = ControlServer.start(fake, socket, null)) {
            // widen the file's mode so that the connection gets through and the peer check decides
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
            Result r = runAsNobody("stop", "--force", "kafka", "--socket", socket.toString());
            assertEquals(2, r.code, r.toString());
            assertEquals("agent: permission denied: the agent runs as uid 0; run this as that user or root\n", r.err, r.toString());
            assertTrue(fake.calls().isEmpty(), "nothing was stopped: " + fake.calls());
        }
    }

    @Test
    void theSocketsModeAloneKeepsAnotherUidOut() throws Exception {
        Path socket = dir.resolve("agent.sock");
        try (ControlServer ignored = ControlServer.start(FakeSupervisor.allReady(), socket, null)) {
            Result r = runAsNobody("status", "--socket", socket.toString());
            assertEquals(2, r.code, r.toString());
            assertEquals("agent: permission denied: cannot open the agent's socket " + socket
                    + "; run this as the agent's user or root\n", r.err, r.toString());
        }
    }

    private record Result(int code, String out, String err) {}

    private Result runAsNobody(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
                ProcessHandle.current().info().command().orElse("java"), "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", libs.resolve("classes") + File.pathSeparator + libs.resolve("*"), "dev.dockhand.agent.cli.Main"));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "client finished within 60 s");
        } finally {
            p.destroyForcibly();
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    /** The main classes and the jars of the test classpath, copied where nobody can read them. */
    private static Path copyClasspath(Path to) throws IOException {
        Files.createDirectories(to.resolve("classes"));
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (entry.endsWith(".jar") && Files.isRegularFile(p)) {
                Files.copy(p, to.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            } else if (Files.isDirectory(p) && p.endsWith("classes")) {
                try (Stream<Path> s = Files.walk(p)) {
                    for (Path f : s.toList()) {
                        Path target = to.resolve("classes").resolve(p.relativize(f).toString());
                        if (Files.isDirectory(f)) {
                            Files.createDirectories(target);
                        } else {
                            Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            }
        }
        try (Stream<Path> s = Files.walk(to)) {
            for (Path f : s.toList()) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(Files.isDirectory(f) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return to;
    }
}
