package dev.dockhand.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.cli.Cli.Result;
import dev.dockhand.agent.protocol.AgentSnapshot;
import dev.dockhand.agent.protocol.ServiceState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line as a hostile caller writes it, and what reaches the operator's terminal: an empty
 * program in single-command mode is a usage error, and no value (a flag, a file name, a certificate's
 * subject, a service's probe detail) reaches stdout or stderr with a raw control character in it, so
 * that a name chosen by an attacker can never clear, move or rewrite the operator's terminal.
 * docs/hostile-inputs.md lists each case.
 */
class TerminalInputsTest {
    /** ESC's clear-screen, a bare carriage return, C1's NEL, and C1's one-byte CSI. */
    static final List<String> HOSTILE = List.of("\u001b[2J", "\r", "\u0085", "\u009b2J");

    @TempDir
    Path tmp;

    static Result run(Map<String, String> env, String... args) {
        return Cli.run(env, List.of(args));
    }

    /** No control character but the newline that ends a line. */
    static void noRawControl(String text, String what) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\n' && isControl(c)) {
                throw new AssertionError(what + ": raw U+" + Integer.toHexString(c) + " at " + i + " in:\n" + escaped(text));
            }
        }
    }

    static boolean isControl(char c) {
        return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029';
    }

    /** For assertion messages: the test's own escaping, so that a failure report cannot clear the terminal either. */
    static String escaped(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (isControl(c)) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    static void noStackTrace(Result r) {
        assertFalse(r.err().contains("Exception"), r.err());
        assertFalse(r.err().lines().anyMatch(l -> l.startsWith("\tat ")), r.err());
    }

    // ------------------------------------------------------------------ single-command mode's program

    @Test
    void anEmptyBlankOrControlProgramInSingleCommandModeIsAUsageErrorNotAStackTrace() {
        Map<String, String> env = Map.of("PATH", "/usr/bin:/bin");
        for (String program : List.of("", "  ", "\t", "a\u0001b", "sh\u001b[2J", "/bin/\u009bsh")) {
            Result r = run(env, "run", "--", program, "arg");
            assertEquals(2, r.code(), escaped(program) + ": " + r.err());
            assertTrue(r.err().startsWith("agent: run: CMD "), r.err());
            assertTrue(r.err().contains("give the program to run after --"), r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            noStackTrace(r);
            noRawControl(r.both(), escaped(program));
        }
        assertTrue(run(env, "run", "--", "").err().contains("CMD is empty ('')"));
        assertTrue(run(env, "run", "--", "  ").err().contains("CMD '  ' is blank"));
    }

    @Test
    void thePid1ParserWithoutPicocliRefusesTheSameWay() {
        RunCommand run = RunArgs.parse(new String[] {"run", "-g", "--", ""}, Map.of());
        StringWriter err = new StringWriter();
        int code;
        try {
            code = run.call(new PrintWriter(err));
        } catch (RuntimeException e) {
            code = Failures.report(e, new PrintWriter(err));
        }
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().startsWith("agent: run: CMD is empty"), err.toString());
    }

    // ------------------------------------------------------------------ control characters echoed

    @Test
    void picocliUsageErrorsEchoTheArgumentEscaped() {
        for (String h : HOSTILE) {
            List<Result> results = List.of(
                    run(Map.of(), "bogus" + h),
                    run(Map.of(), "check", "--role" + h),
                    run(Map.of(), "run", "--http-port", "1" + h),
                    run(Map.of(), "run", "-e", "1" + h + "x", "--", "true"),
                    run(Map.of(), "status", "--json", "extra" + h));
            for (Result r : results) {
                assertEquals(2, r.code(), r.err());
                noRawControl(r.both(), escaped(h));
                assertTrue(r.err().startsWith("agent: "), r.err());
            }
        }
    }

    @Test
    void problemsThatQuoteAFlagAPathOrASignalPrintItEscaped() {
        for (String h : HOSTILE) {
            Path missing = tmp.resolve("no" + h + "file");
            List<Result> results = List.of(
                    run(Map.of(), "check", "--catalog", missing.toString(), "--fqdn", "x" + h),
                    run(Map.of(), "check", "--catalog", "../templates/catalog.json", "--metadata", missing.toString()),
                    run(Map.of(), "import-workbench", missing.toString()),
                    // values that no parser can read as a signal, whatever it strips: nothing is spawned in this JVM
                    run(Map.of(), "run", "-r", "TE" + h + "RM:INT", "--", "true"),
                    run(Map.of(), "run", "-p", "TE" + h + "RM", "--", "true"),
                    run(Map.of(), "status", "--socket", missing.toString()),
                    run(Map.of(), "ca", "init", "--out", tmp.resolve("ca" + h).toString()));
            for (Result r : results) {
                assertTrue(r.code() == 2 || r.code() == 3, r.err());
                assertFalse(r.err().isEmpty());
                noRawControl(r.both(), escaped(h));
                noStackTrace(r);
            }
        }
    }

    @Test
    void aProblemWithANewlineInItStaysOneLine() {
        StringWriter err = new StringWriter();
        int code = Failures.report(new dev.dockhand.agent.core.InvalidInputException(List.of("file x\nagent: forged\u001b[2J")),
                new PrintWriter(err));
        assertEquals(2, code);
        assertEquals("agent: file x\\nagent: forged\\u001b[2J\n", err.toString());
    }

    @Test
    void caInitRefusesADirectoryWithAControlCharacterAndWritesNothing() {
        Path dir = tmp.resolve("ca\u001b[2J");
        Result r = run(Map.of(), "ca", "init", "--out", dir.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--out '") && r.err().contains("\\u001b[2J' has a control character"), r.err());
        assertFalse(Files.exists(dir));
    }

    @Test
    void renderExplainShowsOverrideValuesAndSourcesEscaped() {
        for (String h : HOSTILE) {
            Map<String, String> env = new HashMap<>(Map.of("AGENT_NODES", "zookeeper=zk-1.x;broker=b-1.x;schemareg=sr-1.x",
                    "AGENT_FQDN", "b-1.x", "AGENT_CLUSTER_CONFIG", "production", "AGENT_SECURITY", "plaintext"));
            env.put("KAFKA_CFG_LOG_RETENTION_HOURS", "24" + h);
            Result r = run(env, "render", "--dry-run", "--explain", "--catalog", "../templates/catalog.json",
                    "--data-dir", tmp.resolve("data").toString());
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("24" + escaped(h)), r.out());
            noRawControl(r.both(), escaped(h));
        }
    }

    @Test
    void statusShowsSubjectsProbesReasonsAndFilesEscapedAndKeepsItsOwnColours() {
        for (String h : HOSTILE) {
            AgentSnapshot.ServiceSnapshot svc = new AgentSnapshot.ServiceSnapshot("kafka-broker", ServiceState.UNHEALTHY, "probe said " + h,
                    7, 1000, 0, List.of(9092), new AgentSnapshot.ProbeSnapshot(false, "refused" + h, 3, 0));
            AgentSnapshot s = new AgentSnapshot("broker", 1, "b-1.x", "k" + h, "production", 1, 0, 1_000, 1 << 20, "STARTING", false,
                    List.of(svc), List.of(new AgentSnapshot.DependencySnapshot("zookeeper", List.of("zk-1.x"), false, "0/1 answered" + h)),
                    List.of("/data/conf/" + h + "/server.properties"), "tls",
                    List.of(new AgentSnapshot.CertificateSnapshot("node", "CN=b-1.x" + h, "01", 0, 0)), null, null);
            noRawControl(StatusView.render(s, false), escaped(h));
            String coloured = StatusView.render(s, true);
            assertTrue(coloured.contains("\u001b[31m"), "its own colours stay");
            assertFalse(coloured.contains(h), escaped(coloured));
        }
    }

    @Test
    void theTerminalWriterEscapesEveryControlButTheLineEnd() {
        StringWriter w = new StringWriter();
        PrintWriter t = TerminalWriter.of(new PrintWriter(w));
        t.println("a\u001b[2Jb\rc\u0085d\u009be\u007ff\tg");
        t.printf("%s%n", "\u0007");
        t.print('\u001b');
        t.flush();
        assertEquals("a\\u001b[2Jb\\rc\\u0085d\\u009be\\u007ff\\tg\n\\u0007\n\\u001b", w.toString());
    }
}
