package dev.dockhand.agent.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.linux.ErrnoException;
import dev.dockhand.agent.linux.ExitStatus;
import dev.dockhand.agent.linux.FakeLinux;
import dev.dockhand.agent.linux.Signal;
import dev.dockhand.agent.linux.SignalState;
import dev.dockhand.agent.linux.Spawned;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SingleCommandTest {
    private final FakeLinux linux = new FakeLinux();
    /** Handlers the command installed; each installation is also recorded in the fake's calls. */
    private final Map<Signal, Consumer<Signal>> handlers = new ConcurrentHashMap<>();

    private final SingleCommand.SignalHook hook = (inherited, s, h) -> {
        linux.calls.add("handle " + s.name());
        handlers.put(s, h);
        return true;
    };

    private int runExiting(SingleCommand.Options options, ExitStatus status) {
        linux.onSpawn(pid -> linux.exit(pid, status));
        return new SingleCommand(linux, options, hook).run(List.of("app", "--flag"), Map.of("PATH", "/bin"), null);
    }

    private CompletableFuture<Integer> runInBackground(SingleCommand.Options options) {
        return CompletableFuture.supplyAsync(() -> new SingleCommand(linux, options, hook).run(List.of("app"), Map.of(), null));
    }

    private static SingleCommand.Options options(boolean group, Map<Signal, Integer> rewrites, int... zeroCodes) {
        Set<Integer> set = new java.util.HashSet<>();
        for (int c : zeroCodes) {
            set.add(c);
        }
        return new SingleCommand.Options(group, false, set, null, rewrites, false);
    }

    private static SingleCommand.Options remap(int... codes) {
        return options(false, Map.of(), codes);
    }

    private void send(Signal s) {
        handlers.get(s).accept(s);
    }

    @Test
    void exitCodeOfTheCommandIsTheAgents() {
        assertEquals(7, runExiting(SingleCommand.Options.defaults(), new ExitStatus.Exited(7)));
        assertTrue(linux.calls.contains("spawnForeground [app, --flag]"), linux.calls.toString());
    }

    @Test
    void deathBySignalIs128PlusTheSignal() {
        assertEquals(143, runExiting(SingleCommand.Options.defaults(), new ExitStatus.Killed(15, false)));
    }

    @Test
    void dashERemapsAnExitCodeToZeroAfterSignalMapping() {
        assertEquals(0, runExiting(remap(143), new ExitStatus.Killed(15, false)));
        assertEquals(0, runExiting(remap(3), new ExitStatus.Exited(3)));
        assertEquals(4, runExiting(remap(3), new ExitStatus.Exited(4)));
    }

    @Test
    void becomesSubreaperUnlessPid1() {
        runExiting(SingleCommand.Options.defaults(), new ExitStatus.Exited(0));
        assertTrue(linux.isChildSubreaper());

        FakeLinux pid1 = new FakeLinux().pid(1);
        pid1.onSpawn(pid -> pid1.exit(pid, new ExitStatus.Exited(0)));
        new SingleCommand(pid1, SingleCommand.Options.defaults(), hook).run(List.of("app"), Map.of(), null);
        assertFalse(pid1.isChildSubreaper(), "PID 1 gets every orphan anyway");
    }

    @Test
    void parentDeathSignalIsSetWhenAsked() {
        runExiting(new SingleCommand.Options(false, false, Set.of(), Signal.KILL, Map.of(), false), new ExitStatus.Exited(0));
        assertTrue(linux.calls.contains("pdeathsig KILL"), linux.calls.toString());
    }

    @Test
    void everySignalButTheJvmsTheKernelsAndChldIsForwarded() {
        Set<Signal> expected = EnumSet.allOf(Signal.class);
        expected.removeAll(EnumSet.of(Signal.SEGV, Signal.ILL, Signal.FPE, Signal.BUS, Signal.KILL, Signal.STOP, Signal.CHLD));
        assertEquals(expected, Set.copyOf(SingleCommand.FORWARDED));
        assertEquals(24, SingleCommand.FORWARDED.size());
        runExiting(SingleCommand.Options.defaults(), new ExitStatus.Exited(0));
        assertEquals(expected, handlers.keySet());
    }

    @Test
    void signalsAreForwardedToTheChildAloneAndItsCodeReturned() throws Exception {
        CompletableFuture<Integer> code = runInBackground(SingleCommand.Options.defaults());
        Spawned child = linux.awaitSpawned(1, Duration.ofSeconds(5));
        awaitCall("stdout to /dev/null");
        send(Signal.WINCH); // a terminal resize: passed on, not fatal
        send(Signal.TERM);
        assertEquals(143, code.get(5, TimeUnit.SECONDS));
        assertTrue(linux.calls.contains("kill " + child.pid() + " WINCH"), linux.calls.toString());
        assertTrue(linux.calls.contains("kill " + child.pid() + " TERM"), linux.calls.toString());
        int before = linux.calls.size();
        send(Signal.TERM);
        assertEquals(before, linux.calls.size(), "nothing is sent once the child was reaped");
        assertFalse(linux.calls.stream().anyMatch(c -> c.startsWith("killGroup")), "without -g nothing goes to the group");
    }

    @Test
    void dashGSignalsTheGroupAndTermsWhatIsLeftOfItWhenTheCommandEnds() throws Exception {
        CompletableFuture<Integer> code = runInBackground(options(true, Map.of()));
        Spawned child = linux.awaitSpawned(1, Duration.ofSeconds(5));
        awaitCall("stdout to /dev/null");
        send(Signal.INT);
        assertEquals(130, code.get(5, TimeUnit.SECONDS));
        List<String> groupCalls = linux.calls.stream().filter(c -> c.startsWith("killGroup")).toList();
        assertEquals(List.of("killGroup " + child.pid() + " INT", "killGroup " + child.pid() + " TERM"), groupCalls);
    }

    @Test
    void dashRForwardsAnotherSignalOrNone() throws Exception {
        CompletableFuture<Integer> code = runInBackground(options(false, Map.of(Signal.TERM, Signal.INT.number, Signal.HUP, 0)));
        Spawned child = linux.awaitSpawned(1, Duration.ofSeconds(5));
        awaitCall("stdout to /dev/null");
        send(Signal.HUP);
        send(Signal.TERM);
        assertEquals(130, code.get(5, TimeUnit.SECONDS), "TERM went out as INT");
        assertFalse(linux.calls.contains("kill " + child.pid() + " HUP"), "HUP was dropped: " + linux.calls);
        assertFalse(linux.calls.contains("kill " + child.pid() + " TERM"), linux.calls.toString());
    }

    @Test
    void jobControlSignalsAreForwardedThenTheAgentStopsItself() throws Exception {
        CompletableFuture<Integer> code = runInBackground(SingleCommand.Options.defaults());
        Spawned child = linux.awaitSpawned(1, Duration.ofSeconds(5));
        awaitCall("stdout to /dev/null");
        for (Signal s : List.of(Signal.TSTP, Signal.TTIN, Signal.TTOU)) {
            int at = linux.calls.size();
            send(s);
            assertEquals(List.of("kill " + child.pid() + " " + s.name(), "kill 4242 STOP"), linux.calls.subList(at, linux.calls.size()));
        }
        send(Signal.CONT);
        assertTrue(linux.calls.contains("kill " + child.pid() + " CONT"), linux.calls.toString());
        send(Signal.TERM);
        assertEquals(143, code.get(5, TimeUnit.SECONDS));
    }

    @Test
    void inheritedMaskAndIgnoredSignalsGoToTheChildAndIgnoredOnesAreTakenOverOnlyAfterTheSpawn() {
        SignalState inherited = new SignalState(Signal.USR1.bit(), Signal.INT.bit() | Signal.HUP.bit() | (1L << 40));
        linux.inherited(inherited);
        runExiting(SingleCommand.Options.defaults(), new ExitStatus.Exited(0));
        int spawn = linux.calls.indexOf("spawnForeground [app, --flag] " + inherited);
        assertTrue(spawn >= 0, linux.calls.toString());
        assertTrue(linux.calls.indexOf("handle TERM") < spawn, "a signal that was not ignored is caught before the spawn");
        assertTrue(linux.calls.indexOf("handle INT") > spawn, "INT stays ignored until the child has inherited that");
        assertTrue(linux.calls.indexOf("handle HUP") > spawn, linux.calls.toString());
        assertTrue(linux.calls.indexOf("handle QUIT") > spawn, "QUIT's slow set-up is not on the way to the child's exec");
        assertTrue(linux.calls.indexOf("stdout to /dev/null") > spawn, "the child keeps the real stdout");
    }

    @Test
    void aSignalDuringTheSpawnIsDeliveredRightAfter() {
        // The TERM arrives while posix_spawn runs: the pid is not known yet.
        linux.onSpawn(pid -> send(Signal.TERM));
        int code = new SingleCommand(linux, SingleCommand.Options.defaults(), hook).run(List.of("app"), Map.of(), null);
        assertEquals(143, code);
    }

    @Test
    void aMissingCommandIs127AndOneThatCannotBeExecuted126() {
        linux.failNextSpawn(new ErrnoException("posix_spawn(nope)", ErrnoException.ENOENT, "No such file or directory (not found in PATH=/bin)"));
        LaunchException e = assertThrows(LaunchException.class,
                () -> new SingleCommand(linux, SingleCommand.Options.defaults(), hook).run(List.of("nope"), Map.of(), null));
        assertEquals("cannot run 'nope': No such file or directory (not found in PATH=/bin)", e.getMessage());
        assertEquals(127, e.shellCode());

        linux.failNextSpawn(new ErrnoException("posix_spawn(/etc/passwd)", 13, "Permission denied (not an executable file)"));
        e = assertThrows(LaunchException.class,
                () -> new SingleCommand(linux, SingleCommand.Options.defaults(), hook).run(List.of("/etc/passwd"), Map.of(), null));
        assertEquals("cannot run '/etc/passwd': Permission denied (not an executable file)", e.getMessage());
        assertEquals(126, e.shellCode());
    }

    @Test
    void badRemapCodeIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> remap(256));
        assertEquals("-e 256: an exit code is between 0 and 255", e.getMessage());
    }

    @Test
    void rewritesAreParsedAsDumbInitWritesThemAndMalformedOnesNamed() {
        assertEquals(Map.entry(Signal.TERM, 2), SingleCommand.Options.parseRewrite("15:2"));
        assertEquals(Map.entry(Signal.TERM, 2), SingleCommand.Options.parseRewrite("SIGTERM:int"));
        assertEquals(Map.entry(Signal.WINCH, 0), SingleCommand.Options.parseRewrite("28:0"));
        for (String bad : List.of("15", "15:", ":2", "15:2:3", "x:2", "15:y", "0:2", "32:2", "15:32", "15:-1", "")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SingleCommand.Options.parseRewrite(bad), bad);
            assertTrue(e.getMessage().startsWith("-r '" + bad + "': expected S:R"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> options(false, Map.of(Signal.SEGV, 15)));
        assertEquals("-r 11:15: SIGSEGV never reaches the agent's handlers (the JVM keeps it for itself), so it cannot be rewritten",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> options(false, Map.of(Signal.KILL, 15)));
        assertTrue(e.getMessage().contains("no process can catch it"), e.getMessage());
    }

    private void awaitCall(String call) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!linux.calls.contains(call)) {
            assertTrue(System.nanoTime() < deadline, "no '" + call + "' in " + linux.calls);
            Thread.sleep(5);
        }
    }
}
