package dev.dockhand.it.lab;

/**
 * The agent's {@link dev.dockhand.agent.testing.Need} (agent's test-jar) under the name it/'s tests
 * import: its static methods, no code of its own.
 */
public final class Need extends dev.dockhand.agent.testing.Need {
    private Need() {}
}
