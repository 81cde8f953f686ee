package dev.dockhand.agent.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.linux.ErrnoException;
import dev.dockhand.agent.linux.ExitStatus;
import dev.dockhand.agent.linux.FakeLinux;
import dev.dockhand.agent.linux.Signal;
import dev.dockhand.agent.linux.Spawned;
import java.time.Duration;
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
    /** Handlers the command installed; QUIT and USR2 refused, as the JVM does. */
    private final Map<Signal, Consumer<Signal>> handlers = new ConcurrentHashMap<>();

    private final SingleCommand.SignalHook hook = (s, h) -> {
        if (s == Signal.QUIT || s == Signal.USR2) {
            return false;
        }
        handlers.put(s, h);
        return true;
    };

    private int runExiting(SingleCommand.Options options, ExitStatus status) {
        linux.onSpawn(pid -> linux.exit(pid, status));
        return new SingleCommand(linux, options, hook).run(List.of("app", "--flag"), Map.of("PATH", "/bin"), null);
    }

    private static SingleCommand.Options remap(int... codes) {
        Set<Integer> set = new java.util.HashSet<>();
        for (int c : codes) {
            set.add(c);
        }
        return new SingleCommand.Options(false, false, set, null);
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
        runExiting(new SingleCommand.Options(false, false, Set.of(), Signal.KILL), new ExitStatus.Exited(0));
        assertTrue(linux.calls.contains("pdeathsig KILL"), linux.calls.toString());
    }

    @Test
    void signalsAreForwardedToTheChildAndItsCodeReturned() throws Exception {
        CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() ->
                new SingleCommand(linux, SingleCommand.Options.defaults(), hook).run(List.of("app"), Map.of(), null));
        Spawned child = linux.awaitSpawned(1, Duration.ofSeconds(5));
        assertEquals(Set.of(Signal.HUP, Signal.INT, Signal.USR1, Signal.TERM, Signal.WINCH), handlers.keySet());
        handlers.get(Signal.WINCH).accept(Signal.WINCH); // a terminal resize: passed on, not fatal
        handlers.get(Signal.TERM).accept(Signal.TERM);
        assertEquals(143, code.get(5, TimeUnit.SECONDS));
        assertTrue(linux.calls.contains("kill " + child.pid() + " WINCH"), linux.calls.toString());
        assertTrue(linux.calls.contains("kill " + child.pid() + " TERM"), linux.calls.toString());
        int before = linux.calls.size();
        handlers.get(Signal.TERM).accept(Signal.TERM);
        assertEquals(before, linux.calls.size(), "nothing is sent once the child was reaped");
    }

    @Test
    void dashGPutsTheChildInItsOwnGroupAndSignalsTheGroup() throws Exception {
        SingleCommand.Options g = new SingleCommand.Options(true, false, Set.of(), null);
        CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() ->
                new SingleCommand(linux, g, hook).run(List.of("app"), Map.of(), null));
        Spawned child = linux.awaitSpawned(1, Duration.ofSeconds(5));
        handlers.get(Signal.INT).accept(Signal.INT);
        assertEquals(130, code.get(5, TimeUnit.SECONDS));
        assertTrue(linux.calls.contains("spawnForeground [app] group"), linux.calls.toString());
        assertTrue(linux.calls.contains("killGroup " + child.pid() + " INT"), linux.calls.toString());
    }

    @Test
    void aSignalDuringTheSpawnIsDeliveredRightAfter() {
        // The TERM arrives while posix_spawn runs: the pid is not known yet.
        linux.onSpawn(pid -> handlers.get(Signal.TERM).accept(Signal.TERM));
        int code = new SingleCommand(linux, SingleCommand.Options.defaults(), hook).run(List.of("app"), Map.of(), null);
        assertEquals(143, code);
    }

    @Test
    void missingCommandIsALaunchException() {
        linux.failNextSpawn(new ErrnoException("posix_spawn(nope)", 2, "No such file or directory (not found in PATH=/bin)"));
        LaunchException e = assertThrows(LaunchException.class,
                () -> new SingleCommand(linux, SingleCommand.Options.defaults(), hook).run(List.of("nope"), Map.of(), null));
        assertEquals("cannot start 'nope': posix_spawn(nope): No such file or directory (not found in PATH=/bin)", e.getMessage());
    }

    @Test
    void badRemapCodeIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> remap(256));
        assertEquals("-e 256: an exit code is between 0 and 255", e.getMessage());
    }
}
