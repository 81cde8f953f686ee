package dev.dockhand.agent.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.linux.ExitStatus;
import dev.dockhand.agent.linux.Linux;
import dev.dockhand.agent.linux.Linuxes;
import dev.dockhand.agent.linux.Signal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agent run [flags] -- CMD} through the real command line, as a process of its own (not PID 1:
 * {@link SingleCommandPid1Test} has that), with real signals. The agent is started in a session of its
 * own, as a shell starts a job; the commands are perl and bash scripts that write what they get into
 * files of the temp dir.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SingleCommandLinuxTest {
    private static final Map<String, String> ENV = Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL", "C");

    private final Linux linux = Linuxes.system();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Launcher launcher = new Launcher(linux, new PrintStream(out, true), new PrintStream(err, true), Duration.ofSeconds(5));
    private final List<RunningProcess> started = new ArrayList<>();
    private final List<Integer> strays = new ArrayList<>();

    @TempDir
    Path tmp;

    @AfterEach
    void stop() throws InterruptedException {
        for (RunningProcess p : started) {
            List<Integer> commands = children(p.pid());
            p.signal(Signal.KILL); // the agent's session and group
            commands.forEach(c -> linux.killGroup(c, Signal.KILL)); // CMD has a group of its own
        }
        for (int pid : strays) {
            linux.kill(pid, Signal.KILL);
        }
        launcher.close();
        assertTrue(launcher.awaitStopped(Duration.ofSeconds(20)));
    }

    /** A running agent: its pid and how it ends. */
    private record Agent(int pid, CompletableFuture<ExitStatus> exit) {}

    /** {@code [wrapper...] java ... Main run [flags] -- cmd...}, started as a job in a session of its own. */
    private Agent agent(List<String> wrapper, List<String> flags, List<String> cmd) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> argv = new ArrayList<>(wrapper);
        argv.addAll(List.of(java, "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", cp, "dev.dockhand.agent.cli.Main", "run"));
        argv.addAll(flags);
        argv.add("--");
        argv.addAll(cmd);
        CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
        RunningProcess p = launcher.launch(new LaunchSpec("agent", argv, ENV, tmp, null, null, 0, true), (pid, s) -> exit.complete(s));
        started.add(p);
        return new Agent(p.pid(), exit);
    }

    private Agent agent(List<String> flags, List<String> cmd) {
        return agent(List.of(), flags, cmd);
    }

    /**
     * A perl command that appends the name of every signal in {@code signals} it gets to {@code file}
     * (perl can catch a signal it was started with ignored; bash cannot), writes "ready", and waits;
     * TERM and {@code exitOn} end it with exit code 3.
     */
    private List<String> recorder(Path file, String signals, String exitOn) {
        String script = String.join("\n",
                "open(my $f, '>>', $ARGV[0]) or die \"$ARGV[0]: $!\"; select((select($f), $| = 1)[0]);",
                "for my $s (qw(" + signals + ")) { $SIG{$s} = sub { print $f \"$_[0]\\n\"; exit 3 if $_[0] eq 'TERM' || $_[0] eq '" + exitOn + "' } }",
                "print $f \"ready\\n\";",
                "sleep 1 while 1;");
        return List.of("perl", "-e", script, file.toString());
    }

    @Test
    void everySignalTheAgentCanCatchReachesTheCommandAndJobControlStopsAndResumesTheAgent() throws Exception {
        Path got = tmp.resolve("got");
        List<String> names = SingleCommand.FORWARDED.stream().map(Signal::name).toList();
        assertEquals(24, names.size());
        Agent a = agent(List.of(), recorder(got, String.join(" ", names), "none"));
        awaitLine(got, "ready", a);
        // CMD runs before the agent has its SIGQUIT hook (JVMTI, slow to set up, done after the spawn so
        // as not to delay CMD); until then a QUIT is the JVM's thread dump. The agent's last step of the
        // set-up is to point its stdout at /dev/null: from then on every signal is forwarded.
        await("the agent's signal set-up done (stdout on /dev/null)", () -> stdoutIsDevNull(a.pid()), a);
        int conts = 0;
        for (Signal s : SingleCommand.FORWARDED) {
            if (s == Signal.TERM || s == Signal.CONT) {
                continue;
            }
            assertTrue(linux.kill(a.pid(), s), s.name());
            awaitLine(got, s.name(), a);
            if (s == Signal.TSTP || s == Signal.TTIN || s == Signal.TTOU) {
                await("the agent stopped itself after forwarding " + s, () -> state(a.pid()) == 'T', a);
                assertTrue(linux.kill(a.pid(), Signal.CONT));
                await("the agent resumed", () -> state(a.pid()) != 'T', a);
                int expected = ++conts;
                await("CONT forwarded (" + expected + ")", () -> count(got, "CONT") == expected, a);
            }
        }
        assertTrue(linux.kill(a.pid(), Signal.TERM));
        assertEquals(new ExitStatus.Exited(3), a.exit().get(30, TimeUnit.SECONDS), stderr());
        for (String n : names) {
            assertTrue(Files.readAllLines(got).contains(n), n + " never reached the command: " + Files.readAllLines(got));
        }
        assertFalse(stdout().contains("Full thread dump"), "the JVM's thread dump on SIGQUIT stays out of the command's output: " + stdout());
    }

    @Test
    void startedWithIntIgnoredAndUsr1BlockedTheAgentStillForwardsIntAndTheCommandInheritsBoth() throws Exception {
        Path status = tmp.resolve("status");
        Path got = tmp.resolve("got");
        // what a script's `agent run -- cmd &` does to INT, plus a blocked signal, set before exec
        List<String> wrapper = List.of("perl", "-MPOSIX", "-e",
                "$SIG{INT} = 'IGNORE'; sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGUSR1)) or die; exec @ARGV or die");
        String script = "open(my $s, '>', $ARGV[1]) or die; open(my $p, '<', '/proc/self/status') or die;"
                + " print $s grep { /^Sig(Blk|Ign)/ } <$p>; close $s;"
                + " open(my $f, '>>', $ARGV[0]) or die; select((select($f), $| = 1)[0]);"
                + " $SIG{INT} = sub { print $f \"INT\\n\"; exit 3 }; print $f \"ready\\n\"; sleep 1 while 1;";
        Agent a = agent(wrapper, List.of(), List.of("perl", "-e", script, got.toString(), status.toString()));
        awaitLine(got, "ready", a);
        List<String> lines = Files.readAllLines(status);
        assertEquals(Signal.USR1.bit(), Long.parseLong(field(lines, "SigBlk:"), 16) & 0x7fffffffL, "the mask the agent was started with: " + lines);
        // perl ignores FPE itself at its start
        assertEquals(Signal.INT.bit(), Long.parseLong(field(lines, "SigIgn:"), 16) & 0x7fffffffL & ~Signal.FPE.bit(),
                "INT still ignored, nothing else: " + lines);
        // the agent takes INT over right after the spawn (until then it stays ignored, for the command to inherit)
        await("the agent catches INT although it was started with INT ignored", () -> {
            String agentStatus = read(Path.of("/proc", Integer.toString(a.pid()), "status"));
            return !agentStatus.isEmpty() && (Long.parseLong(field(agentStatus.lines().toList(), "SigCgt:"), 16) & Signal.INT.bit()) != 0;
        }, a);
        assertTrue(linux.kill(a.pid(), Signal.INT));
        assertEquals(new ExitStatus.Exited(3), a.exit().get(30, TimeUnit.SECONDS), stderr());
    }

    @Test
    void aGroupSignalFromTheCommandStaysInItsOwnGroup() throws Exception {
        // had the command shared the agent's group, SIGKILL to group 0 would have killed the agent too
        Agent a = agent(List.of(), List.of("bash", "-c", "kill -KILL 0"));
        assertEquals(new ExitStatus.Exited(137), a.exit().get(30, TimeUnit.SECONDS), stderr());
    }

    @Test
    void tstpStopsACommandAtItsDefaultAndTheAgentAndContResumesBoth() throws Exception {
        Path pidFile = tmp.resolve("pid");
        Agent a = agent(List.of(), List.of("bash", "-c", "echo $$ > " + pidFile + "; exec sleep 1000"));
        await("the command started", () -> Files.exists(pidFile) && !read(pidFile).isEmpty(), a);
        int cmd = Integer.parseInt(read(pidFile));
        await("sleep runs", () -> comm(cmd).equals("sleep"), a);
        assertTrue(linux.kill(a.pid(), Signal.TSTP));
        await("the command stopped", () -> state(cmd) == 'T', a);
        await("the agent stopped", () -> state(a.pid()) == 'T', a);
        assertTrue(linux.kill(a.pid(), Signal.CONT));
        await("the command resumed", () -> state(cmd) != 'T', a);
        assertTrue(linux.kill(a.pid(), Signal.TERM));
        assertEquals(new ExitStatus.Exited(143), a.exit().get(30, TimeUnit.SECONDS), stderr());
    }

    @Test
    void aCommandThatCannotBeStartedIs127Or126WithOneLineNamingIt() throws Exception {
        Agent missing = agent(List.of(), List.of("dockhand-no-such-command"));
        assertEquals(new ExitStatus.Exited(127), missing.exit().get(30, TimeUnit.SECONDS), stderr());
        Agent notExecutable = agent(List.of(), List.of("/etc/passwd"));
        assertEquals(new ExitStatus.Exited(126), notExecutable.exit().get(30, TimeUnit.SECONDS), stderr());
        assertEquals(List.of(
                "agent | agent: cannot run 'dockhand-no-such-command': No such file or directory (not found in PATH=" + ENV.get("PATH") + ")",
                "agent | agent: cannot run '/etc/passwd': Permission denied (not an executable file)"), stderr().lines().toList());
    }

    @Test
    void withDashGWhatTheCommandLeavesInItsGroupGetsTermWhenItEnds() throws Exception {
        for (boolean group : new boolean[] {true, false}) {
            Path pidFile = tmp.resolve("left-" + group);
            Agent a = agent(group ? List.of("-g") : List.of(), List.of("bash", "-c", "sleep 1000 & echo $! > " + pidFile + "; exit 5"));
            assertEquals(new ExitStatus.Exited(5), a.exit().get(30, TimeUnit.SECONDS), stderr());
            int left = Integer.parseInt(read(pidFile));
            if (group) {
                await("the sleep left in the group got SIGTERM", () -> gone(left), a);
            } else {
                strays.add(left);
                assertFalse(gone(left), "without -g the agent leaves the rest of the group alone");
            }
        }
    }

    @Test
    void rewritesForwardOneSignalAsAnotherOrDropItAndDashWAndDashVAreHeard() throws Exception {
        Path got = tmp.resolve("got");
        Agent a = agent(List.of("-r", "TERM:INT", "--rewrite=1:0", "-w", "-v"), recorder(got, "HUP INT USR1", "INT"));
        awaitLine(got, "ready", a);
        assertTrue(linux.kill(a.pid(), Signal.HUP));
        await("the drop logged", () -> stderr().contains("SIGHUP dropped (-r 1:0)"), a);
        assertTrue(linux.kill(a.pid(), Signal.TERM));
        assertEquals(new ExitStatus.Exited(3), a.exit().get(30, TimeUnit.SECONDS), stderr());
        assertEquals(List.of("ready", "INT"), Files.readAllLines(got), "TERM arrived as INT, HUP not at all");
        assertTrue(stderr().contains("forwarded SIGTERM as SIGINT"), stderr());

        Agent reaps = agent(List.of("-w"), List.of("bash", "-c", "( sleep 0.1 & ); sleep 1"));
        assertEquals(new ExitStatus.Exited(0), reaps.exit().get(30, TimeUnit.SECONDS), stderr());
        assertTrue(stderr().lines().anyMatch(l -> l.contains(" WARN ") && l.contains("reaped zombie pid")), stderr());
    }

    // ------------------------------------------------------------------ helpers

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private static String field(List<String> lines, String name) {
        return lines.stream().filter(l -> l.startsWith(name)).map(l -> l.substring(name.length()).strip()).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " in " + lines));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static long count(Path file, String line) {
        try {
            return Files.readAllLines(file).stream().filter(line::equals).count();
        } catch (IOException e) {
            return 0;
        }
    }

    /** The state letter of a process (R, S, T, Z, ...), or 'X' when it is gone. */
    private static boolean stdoutIsDevNull(int pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/1")).toString().equals("/dev/null");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static char state(int pid) {
        String stat = read(Path.of("/proc", Integer.toString(pid), "stat"));
        return stat.isEmpty() ? 'X' : stat.charAt(stat.lastIndexOf(')') + 2);
    }

    private static List<Integer> children(int pid) {
        List<Integer> kids = new ArrayList<>();
        try (var tasks = Files.list(Path.of("/proc", Integer.toString(pid), "task"))) {
            for (Path t : tasks.toList()) {
                for (String c : read(t.resolve("children")).split("\\s+")) {
                    if (!c.isEmpty()) {
                        kids.add(Integer.parseInt(c));
                    }
                }
            }
        } catch (IOException gone) {
            // the agent has ended
        }
        return kids;
    }

    private static String comm(int pid) {
        return read(Path.of("/proc", Integer.toString(pid), "comm"));
    }

    private static boolean gone(int pid) {
        char s = state(pid);
        return s == 'X' || s == 'Z';
    }

    private void awaitLine(Path file, String line, Agent a) throws InterruptedException {
        await("'" + line + "' in " + file.getFileName(), () -> count(file, line) > 0, a);
    }

    private void await(String what, BooleanSupplier condition, Agent a) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s: " + what + "; agent " + (a.exit().isDone() ? a.exit().getNow(null) : "running")
                        + "; stderr:\n" + stderr());
            }
            Thread.sleep(10);
        }
    }
}
