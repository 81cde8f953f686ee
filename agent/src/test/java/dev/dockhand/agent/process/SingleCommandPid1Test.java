package dev.dockhand.agent.process;

import dev.dockhand.agent.testing.Need;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.linux.ExitStatus;
import dev.dockhand.agent.linux.Linux;
import dev.dockhand.agent.linux.Linuxes;
import dev.dockhand.agent.linux.Signal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Single-command mode as PID 1 of a fresh PID namespace ({@code unshare --pid --fork --mount-proc}),
 * started through the real launcher. Needs root (or user namespaces); skipped otherwise.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SingleCommandPid1Test {
    private final Linux linux = Linuxes.system();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Launcher launcher = new Launcher(linux, new PrintStream(out, true), new PrintStream(err, true),
            Duration.ofSeconds(5));
    private final List<RunningProcess> started = new ArrayList<>();

    @TempDir
    Path tmp;

    @BeforeEach
    void needsPidNamespaces() throws Exception {
        CompletableFuture<ExitStatus> probe = new CompletableFuture<>();
        started.add(launcher.launch(spec(List.of("unshare", "--pid", "--fork", "--mount-proc", "true")),
                (pid, s) -> probe.complete(s)));
        ExitStatus unshare = probe.get(20, TimeUnit.SECONDS);
        Need.that(new ExitStatus.Exited(0).equals(unshare),
                () -> "unshare --pid --fork --mount-proc needs root: " + unshare + " " + err);
        err.reset();
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (RunningProcess p : started) {
            p.signal(Signal.KILL); // the unshare group; the namespace dies with its PID 1
        }
        launcher.close();
        assertTrue(launcher.awaitStopped(Duration.ofSeconds(20)));
    }

    private static LaunchSpec spec(List<String> argv) {
        return new LaunchSpec("pid1", argv, Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL", "C"),
                Path.of("/"), null, null, 0, true);
    }

    /** Launches {@code agent run [flags] -- bash -c script} as PID 1 of a new PID namespace. */
    private CompletableFuture<ExitStatus> agentAsPid1(List<String> flags, String script) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> argv = new ArrayList<>(List.of("unshare", "--pid", "--fork", "--mount-proc",
                "env", "AGENT_LOG_LEVEL=info,dev.dockhand.agent.process.ChildReaper=debug", java, "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", cp, "dev.dockhand.agent.cli.Main", "run"));
        argv.addAll(flags);
        argv.addAll(List.of("--", "bash", "-c", script));
        CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
        started.add(launcher.launch(spec(argv), (pid, s) -> exit.complete(s)));
        return exit;
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void reapsAThousandDoubleForkedGrandchildrenAndLeavesNoZombie() throws Exception {
        String script = String.join("\n",
                "[ $PPID = 1 ] || { echo \"parent is $PPID, not the agent as PID 1\"; exit 99; }",
                // each sleep outlives its subshell by far, so it is always re-parented before it exits
                // (a sleep that ended first would be reaped by its own subshell, not by the agent)
                "for i in $(seq 1000); do (sleep 0.3 &); done",
                "sleep 1",
                // Count zombies (state Z, the field after the ')' of comm) in this namespace; retry a while.
                "for t in $(seq 100); do",
                "  z=$(cat /proc/[0-9]*/stat 2>/dev/null | sed 's/^.*) //' | cut -d' ' -f1 | grep -c Z)",
                "  [ \"$z\" = 0 ] && break; sleep 0.1",
                "done",
                "echo zombies=$z");
        ExitStatus status = agentAsPid1(List.of(), script).get(100, TimeUnit.SECONDS);
        assertEquals(new ExitStatus.Exited(0), status, stdout() + stderr());
        assertTrue(stdout().contains("pid1 | zombies=0\n"), stdout());
        long orphans = stderr().lines().filter(l -> l.contains("reaped orphan pid")).count();
        assertTrue(orphans >= 1000, "every sleep was re-parented to the agent and reaped there, got " + orphans);
    }

    @Test
    void exitCodeOfTheCommandIsTheAgents() throws Exception {
        assertEquals(new ExitStatus.Exited(7), agentAsPid1(List.of(), "exit 7").get(60, TimeUnit.SECONDS), stderr());
    }

    @Test
    void commandKilledBySignalGives128PlusSignal() throws Exception {
        assertEquals(new ExitStatus.Exited(143), agentAsPid1(List.of(), "kill -TERM $$").get(60, TimeUnit.SECONDS), stderr());
    }

    @Test
    void dashERemapsTheCodeToZero() throws Exception {
        assertEquals(new ExitStatus.Exited(0), agentAsPid1(List.of("-e", "143"), "kill -TERM $$").get(60, TimeUnit.SECONDS),
                stderr());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void sigtermToTheAgentIsForwardedAndTheChildsCodeReturned(boolean group) throws Exception {
        Path ready = tmp.resolve("ready");
        Path marker = tmp.resolve("marker");
        String script = "trap 'echo trapped > " + marker + "; exit 42' TERM; echo > " + ready
                + "; while :; do sleep 0.1; done";
        CompletableFuture<ExitStatus> exit = agentAsPid1(group ? List.of("-g") : List.of(), script);
        int unshare = started.get(started.size() - 1).pid();
        awaitFile(ready, exit);
        int agent = onlyChildOf(unshare);
        assertTrue(linux.kill(agent, Signal.TERM));
        assertEquals(new ExitStatus.Exited(42), exit.get(30, TimeUnit.SECONDS), stderr());
        assertEquals("trapped\n", Files.readString(marker));
    }

    private static void awaitFile(Path file, CompletableFuture<ExitStatus> exit) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(file)) {
            if (exit.isDone() || System.nanoTime() > deadline) {
                throw new AssertionError("the command never started (" + file + "); exit: " + exit.getNow(null));
            }
            Thread.sleep(20);
        }
    }

    /** The host pid of the agent: unshare --fork's only child. */
    private static int onlyChildOf(int parent) throws IOException {
        List<Integer> children = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (Integer.parseInt(f[1]) == parent) {
                        children.add(Integer.parseInt(p.getFileName().toString()));
                    }
                } catch (IOException gone) {
                    // exited while we looked
                }
            }
        }
        assertEquals(1, children.size(), "children of unshare " + parent + ": " + children);
        return children.get(0);
    }
}
