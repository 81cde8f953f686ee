package dev.dockhand.agent.cli;

import dev.dockhand.agent.core.InvalidInputException;
import java.io.PrintWriter;

/** How a command's failure is printed and which exit code it maps to (docs/adr/002-exit-codes.md). */
final class Failures {
    private Failures() {}

    /** Prints what went wrong the way every command does, and returns the exit code it maps to. */
    static int report(Throwable ex, PrintWriter err) {
        if (ex instanceof InvalidInputException iie) {
            for (String p : iie.problems()) {
                err.println("agent: " + p);
            }
        } else if (ex instanceof AgentException) {
            err.println("agent: " + ex.getMessage());
        } else {
            err.println("agent: internal error: " + ex);
            ex.printStackTrace(err);
        }
        err.flush();
        return exitCodeOf(ex);
    }

    static int exitCodeOf(Throwable ex) {
        if (ex instanceof AgentException ae) {
            return ae.exitCode().code;
        }
        if (ex instanceof InvalidInputException) {
            return ExitCode.INVALID_INPUT.code;
        }
        return ExitCode.INTERNAL.code;
    }
}
