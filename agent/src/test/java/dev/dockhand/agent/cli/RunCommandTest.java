package dev.dockhand.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Single-command mode's flags that are wrong: exit 2 and one line naming the flag, before anything starts. */
class RunCommandTest {

    private static String[] run(String... flags) {
        String[] args = new String[flags.length + 3];
        args[0] = "run";
        System.arraycopy(flags, 0, args, 1, flags.length);
        args[flags.length + 1] = "--";
        args[flags.length + 2] = "dockhand-never-started";
        return args;
    }

    private static void refused(String expected, String... flags) {
        for (boolean picocli : new boolean[] {true, false}) {
            StringWriter err = new StringWriter();
            int code;
            if (picocli) {
                CommandLine cl = AgentCommand.commandLine(Map.of());
                cl.setErr(new PrintWriter(err));
                code = cl.execute(run(flags));
            } else { // PID 1's own reader, as Main uses it
                RunCommand command = RunArgs.parse(run(flags), Map.of());
                try {
                    code = command.call(new PrintWriter(err));
                } catch (RuntimeException e) {
                    code = Failures.report(e, new PrintWriter(err));
                }
            }
            assertEquals(2, code, List.of(flags) + ": " + err);
            assertEquals("agent: " + expected + System.lineSeparator(), err.toString(), List.of(flags).toString());
        }
    }

    @Test
    void malformedRewritesAndSignalsAreExit2NamingTheFlag() {
        refused("-r '15': expected S:R, a signal S (1 to 31, or a name such as TERM) and the signal R to forward instead,"
                + " or 0 to drop it (e.g. -r 15:2, -r TERM:INT, -r 28:0)", "-r", "15");
        refused("-r 'TERM:NOPE': expected S:R, a signal S (1 to 31, or a name such as TERM) and the signal R to forward instead,"
                + " or 0 to drop it (e.g. -r 15:2, -r TERM:INT, -r 28:0); unknown signal 'NOPE' (a name such as TERM or SIGTERM,"
                + " or a number from 1 to 31)", "--rewrite=TERM:NOPE");
        refused("-r 9:15: SIGKILL never reaches the agent's handlers (no process can catch it), so it cannot be rewritten", "-r", "9:15");
        refused("-p: unknown signal 'SIGNOPE' (a name such as TERM or SIGTERM, or a number from 1 to 31)", "-p", "SIGNOPE");
        refused("-e 300: an exit code is between 0 and 255", "-e", "300");
    }
}
