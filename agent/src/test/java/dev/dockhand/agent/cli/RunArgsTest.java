package dev.dockhand.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine;

/** The picocli-free reader of {@code agent run} must agree with picocli on everything it accepts. */
class RunArgsTest {
    private static final Map<String, String> ENV = Map.of();

    private static RunCommand picocli(String... args) {
        CommandLine.ParseResult result = AgentCommand.commandLine(ENV).parseArgs(args);
        return (RunCommand) result.subcommand().commandSpec().userObject();
    }

    /** Every field either parser can set, as text. */
    private static String fields(RunCommand r) {
        NodeOptions n = r.node;
        ControlOptions c = r.control;
        return String.join("|", List.of(String.valueOf(n.catalog), String.valueOf(n.templates), String.valueOf(n.out),
                String.valueOf(n.dataDir), String.valueOf(n.home), String.valueOf(n.metadata), String.valueOf(n.role),
                String.valueOf(n.clusterConfig), String.valueOf(n.clusterName), String.valueOf(n.fqdn), String.valueOf(n.nodes),
                String.valueOf(c.socket), String.valueOf(c.httpPort), String.valueOf(c.httpBind), String.valueOf(r.processGroup),
                String.valueOf(r.subreaper), r.zeroExitCodes.toString(), String.valueOf(r.parentDeathSignal), r.rewrites.toString(),
                String.valueOf(r.warnOnReap), String.valueOf(r.verbose.length), r.command.toString()));
    }

    private static void agree(String... args) {
        RunCommand fast = RunArgs.parse(args, ENV);
        assertNotNull(fast, "the fast reader must handle " + List.of(args));
        assertEquals(fields(picocli(args)), fields(fast), "for " + List.of(args));
    }

    @Test
    void everyOptionPicocliDeclaresForRunIsReadTheSameWay() {
        CommandLine run = AgentCommand.commandLine(ENV).getSubcommands().get("run");
        List<OptionSpec> options = run.getCommandSpec().options();
        assertTrue(options.size() >= 18, "picocli declares " + options.size() + " options for run");
        for (OptionSpec o : options) {
            String name = o.longestName();
            if (o.usageHelp() || o.versionHelp()) {
                assertNull(RunArgs.parse(new String[] {"run", name}, ENV), name + " goes to picocli");
                continue;
            }
            if (o.arity().max() == 0) {
                agree("run", name);
                continue;
            }
            Class<?> type = o.typeInfo().getAuxiliaryTypes()[0];
            String value = type == Integer.class || type == int.class ? "7" : o.longestName().equals("-p") ? "SIGTERM" : "/v" + name;
            agree("run", name, value);
            if (name.startsWith("--")) {
                agree("run", name + "=" + value);
                if (value.equals("7")) {
                    assertNull(RunArgs.parse(new String[] {"run", name + "="}, ENV), "an empty number goes to picocli");
                } else {
                    agree("run", name + "=");
                }
            }
        }
    }

    @Test
    void aWholeEntrypointWithACommand() {
        agree("run", "--role", "broker", "--fqdn=kafka-1.example", "--nodes", "broker=kafka-1.example;zookeeper=zk-1.example",
                "--http-port=0", "--socket", "/run/a.sock", "-g", "-s", "-e", "143", "-e", "130", "-p", "SIGKILL",
                "-r", "15:2", "--rewrite=28:0", "-w", "-vv", "-v", "--verbose",
                "--", "sleep", "5", "--role", "x", "--");
        agree("run");
        agree("run", "--");
    }

    @Test
    void helpTyposRepeatsBadNumbersAndUnusualFormsAreLeftToPicocli() {
        List<String[]> cases = new ArrayList<>(List.of(
                new String[] {"run", "--help"},
                new String[] {"run", "-h"},
                new String[] {"run", "--rol", "broker"},
                new String[] {"run", "--role"},
                new String[] {"run", "--role", "--fqdn", "x"},
                new String[] {"run", "--role", "a", "--role", "b"},
                new String[] {"run", "-g", "-g"},
                new String[] {"run", "-w", "--warn-on-reap"},
                new String[] {"run", "-vvvv"},
                new String[] {"run", "-r"},
                new String[] {"run", "--http-port", "http"},
                new String[] {"run", "--http-port", "-1"},
                new String[] {"run", "-e", "zero"},
                new String[] {"run", "sleep", "5"},
                new String[] {"run", "-gs"},
                new String[] {"run", "-e143"},
                new String[] {"status"},
                new String[] {}));
        for (String[] args : cases) {
            assertNull(RunArgs.parse(args, ENV), "must go to picocli: " + List.of(args));
        }
    }
}
