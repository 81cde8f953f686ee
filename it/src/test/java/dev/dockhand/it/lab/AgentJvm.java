package dev.dockhand.it.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The agent's JVM flags as the image ships them: {@code image/agent-jvm.sh} run once per build of the
 * agent jar into {@code <jar dir>/jvm} (flags, class-data archives made from this machine's JVM, JNA's
 * library), so that tests and benchmarks run PID 1 the way a container does.
 */
public final class AgentJvm {
    private static final Path SCRIPT = Path.of(System.getProperty("agent.jvm.script", "../image/agent-jvm.sh")).toAbsolutePath().normalize();

    private AgentJvm() {}

    /** {@code @<file>} arguments for {@code java} before {@code -jar agent.jar run}. */
    public static synchronized List<String> runFlags(Path agentJar) {
        return List.of("@" + flagFile(agentJar, "agent-run.jvmopts"));
    }

    /** {@code @<file>} arguments for {@code java} before {@code -jar agent.jar <CLI command>}. */
    public static synchronized List<String> cliFlags(Path agentJar) {
        return List.of("@" + flagFile(agentJar, "agent-cli.jvmopts"));
    }

    private static Path flagFile(Path agentJar, String name) {
        Path dir = agentJar.toAbsolutePath().getParent().resolve("jvm");
        Path file = dir.resolve(name);
        try {
            if (!Files.isRegularFile(file) || Files.getLastModifiedTime(file).compareTo(Files.getLastModifiedTime(agentJar)) < 0) {
                Cmd.run(Duration.ofMinutes(2), List.of("bash", SCRIPT.toString(), dir.toString(), agentJar.toString())).check();
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return file;
    }
}
