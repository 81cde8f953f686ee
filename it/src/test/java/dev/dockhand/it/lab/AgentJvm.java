package dev.dockhand.it.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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

    /** Jars whose flags this JVM has made or found current (the jar does not change during a test run). */
    private static final Set<Path> CURRENT = new HashSet<>();

    private static Path flagFile(Path agentJar, String name) {
        Path jar = agentJar.toAbsolutePath();
        Path dir = jar.getParent().resolve("jvm");
        if (!CURRENT.contains(jar)) {
            // two training runs of the agent, plaintext and secured: well under a minute, longer on a busy machine
            Cmd.run(Duration.ofMinutes(4), List.of("bash", SCRIPT.toString(), "--if-stale", dir.toString(), jar.toString())).check();
            CURRENT.add(jar);
        }
        return dir.resolve(name);
    }
}
