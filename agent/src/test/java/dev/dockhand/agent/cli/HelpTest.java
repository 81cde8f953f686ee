package dev.dockhand.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code agent SUBCOMMAND --help} prints that subcommand's usage on stdout and exits 0, for every one. */
class HelpTest {

    @Test
    void everySubcommandAnswersHelpWithItsUsageAndExit0() {
        Set<String> names = AgentCommand.commandLine(Map.of()).getSubcommands().keySet();
        assertTrue(names.containsAll(List.of("run", "status", "render", "check", "console", "version", "import-workbench")), names.toString());
        for (String name : names) {
            for (String flag : List.of("--help", "-h")) {
                CommandLine cl = AgentCommand.commandLine(Map.of());
                StringWriter out = new StringWriter();
                StringWriter err = new StringWriter();
                cl.setOut(new PrintWriter(out));
                cl.setErr(new PrintWriter(err));
                int code = cl.execute(name, flag);
                String what = "agent " + name + " " + flag;
                assertEquals(0, code, what + ": " + err);
                assertTrue(out.toString().startsWith("Usage: agent " + name), what + " printed: " + out);
                assertEquals("", err.toString(), what);
            }
        }
    }

    @Test
    void runReadsHelpWithPicocliButHelpAfterTheCommandIsTheCommands() {
        assertNull(RunArgs.parse(new String[] {"run", "--help"}, Map.of()), "help goes to picocli");
        RunCommand run = RunArgs.parse(new String[] {"run", "--", "java", "--help"}, Map.of());
        assertEquals(List.of("java", "--help"), run.command);
    }
}
