package dev.dockhand.agent.cli;

import dev.dockhand.agent.core.InvalidInputException;
import dev.dockhand.agent.core.Names;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * How a command's failure is printed and which exit code it maps to (docs/adr/002-exit-codes.md). Every
 * problem is one line: a control character in it (a newline or an ESC from a value the message quotes)
 * is printed as an escape, and a line is cut at {@link #MAX_LINE} characters, so that no input can
 * forge another problem line, rewrite the terminal, or flood it.
 */
final class Failures {
    /** The longest problem line printed; a longer one (a quoted value of megabytes) is cut. */
    static final int MAX_LINE = 1000;

    private Failures() {}

    /** {@code message} as one line fit for a terminal: control characters escaped, at most {@link #MAX_LINE}. */
    static String line(String message) {
        String s = Names.escapeControls(String.valueOf(message));
        return s.length() <= MAX_LINE ? s : s.substring(0, MAX_LINE) + "... (" + (s.length() - MAX_LINE) + " more characters)";
    }

    /**
     * A command line picocli could not read (an unknown option, a value of the wrong type, a stray
     * argument): the problem on one line, picocli's suggestions or the command's usage, exit 2.
     */
    static int reportUsage(CommandLine.ParameterException ex, PrintWriter err) {
        err.println("agent: " + line(ex.getMessage()));
        if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, err)) {
            ex.getCommandLine().usage(err);
        }
        err.flush();
        return ExitCode.INVALID_INPUT.code;
    }

    /** Prints what went wrong the way every command does, and returns the exit code it maps to. */
    static int report(Throwable ex, PrintWriter err) {
        if (ex instanceof InvalidInputException iie) {
            for (String p : iie.problems()) {
                err.println("agent: " + line(p));
            }
        } else if (ex instanceof AgentException) {
            for (String l : String.valueOf(ex.getMessage()).split("\n", -1)) {
                err.println("agent: " + line(l));
            }
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
