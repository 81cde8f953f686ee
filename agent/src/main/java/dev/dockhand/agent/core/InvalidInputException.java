package dev.dockhand.agent.core;

import java.util.List;

/**
 * Input the user must fix (flags, env, metadata, catalog, templates, data on disk). Carries every
 * problem found, each naming its source; the CLI prints them all and exits 2.
 */
public class InvalidInputException extends RuntimeException {
    private final List<String> problems;

    public InvalidInputException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public InvalidInputException(String problem) {
        this(List.of(problem));
    }

    public List<String> problems() {
        return problems;
    }
}
