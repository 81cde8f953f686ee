package dev.dockhand.agent.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.dockhand.agent.linux.ErrnoException;
import dev.dockhand.agent.linux.ExitStatus;
import dev.dockhand.agent.linux.FakeLinux;
import dev.dockhand.agent.linux.Signal;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LauncherTest {
    private final FakeLinux linux = new FakeLinux();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private Launcher launcher = new Launcher(linux, new PrintStream(out, true), new PrintStream(err, true), Duration.ofSeconds(10));

    @AfterEach
    void stop() throws InterruptedException {
        launcher.close();
        assertTrue(launcher.awaitStopped(Duration.ofSeconds(5)), "reaper stops once no child is left");
    }

    private static LaunchSpec spec(String id, boolean newSession) {
        return new LaunchSpec(id, List.of("kafka-server-start.sh", "server.properties"), Map.of("PATH", "/bin"),
                Path.of("/"), null, null, 0, newSession);
    }

    private static String text(ByteArrayOutputStream b) {
        synchronized (b) {
            return b.toString(StandardCharsets.UTF_8);
        }
    }

    private static final class Exit {
        final CompletableFuture<ExitStatus> status = new CompletableFuture<>();
        volatile String stdoutWhenTold;

        ExitListener listener(ByteArrayOutputStream out) {
            return (pid, s) -> {
                stdoutWhenTold = text(out);
                status.complete(s);
            };
        }
    }

    @Test
    void linesArePrefixedAndGoToTheMatchingStream() throws Exception {
        Exit exit = new Exit();
        RunningProcess p = launcher.launch(spec("kafka", true), exit.listener(out));
        linux.write(p.pid(), false, "started\npart");
        linux.write(p.pid(), true, "warn: x\n");
        linux.write(p.pid(), false, "ial line\nno newline at end");
        linux.exitAndClose(p.pid(), new ExitStatus.Exited(0));
        assertEquals(new ExitStatus.Exited(0), exit.status.get(5, TimeUnit.SECONDS));
        assertEquals("kafka | started\nkafka | partial line\nkafka | no newline at end\n", text(out));
        assertEquals("kafka | warn: x\n", text(err));
        assertTrue(linux.calls.contains("spawn [kafka-server-start.sh, server.properties] session"), linux.calls.toString());
    }

    @Test
    void onExitWaitsForTheOutputToDrain() throws Exception {
        Exit exit = new Exit();
        RunningProcess p = launcher.launch(spec("zk", true), exit.listener(out));
        linux.exit(p.pid(), new ExitStatus.Exited(3)); // reaped, pipes still open
        assertNull(completedWithin(exit.status, 300), "not told while the pipes are open");
        linux.write(p.pid(), false, "last words\n");
        linux.closeOutput(p.pid());
        assertEquals(new ExitStatus.Exited(3), exit.status.get(5, TimeUnit.SECONDS));
        assertEquals("zk | last words\n", exit.stdoutWhenTold, "every line is out before onExit");
    }

    @Test
    void aDescendantHoldingThePipeDelaysOnExitOnlyForTheGrace() throws Exception {
        launcher.close();
        launcher.awaitStopped(Duration.ofSeconds(5));
        launcher = new Launcher(linux, new PrintStream(out, true), new PrintStream(err, true), Duration.ofMillis(200));
        Exit exit = new Exit();
        RunningProcess p = launcher.launch(spec("daemonizer", true), exit.listener(out));
        linux.exit(p.pid(), new ExitStatus.Exited(0));
        assertEquals(new ExitStatus.Exited(0), exit.status.get(5, TimeUnit.SECONDS));
        linux.write(p.pid(), false, "grandchild still talking\n");
        linux.closeOutput(p.pid());
        awaitText(out, "daemonizer | grandchild still talking\n");
    }

    @Test
    void signalGoesToTheGroupForASessionAndToThePidOtherwise() throws Exception {
        Exit a = new Exit();
        RunningProcess service = launcher.launch(spec("svc", true), a.listener(out));
        service.signal(Signal.TERM);
        assertEquals(new ExitStatus.Killed(15, false), a.status.get(5, TimeUnit.SECONDS));
        assertTrue(linux.calls.contains("killGroup " + service.pid() + " TERM"), linux.calls.toString());

        Exit b = new Exit();
        RunningProcess fg = launcher.launch(spec("fg", false), b.listener(out));
        fg.signal(Signal.INT);
        assertEquals(new ExitStatus.Killed(2, false), b.status.get(5, TimeUnit.SECONDS));
        assertTrue(linux.calls.contains("kill " + fg.pid() + " INT"), linux.calls.toString());
        fg.signal(Signal.KILL);
        assertFalse(linux.calls.contains("kill " + fg.pid() + " KILL"), "no signal to a reaped pid that may be reused");
    }

    @Test
    void aChildThatDiesBeforeSpawnReturnsIsStillAttributed() throws Exception {
        linux.onSpawn(pid -> linux.exitAndClose(pid, new ExitStatus.Exited(127)));
        Exit exit = new Exit();
        launcher.launch(spec("quick", true), exit.listener(out));
        assertEquals(new ExitStatus.Exited(127), exit.status.get(5, TimeUnit.SECONDS));
    }

    @Test
    void spawnFailureIsALaunchExceptionNamingServiceAndCommand() {
        linux.failNextSpawn(new ErrnoException("posix_spawn(kafka-server-start.sh)", 2,
                "No such file or directory (not found in PATH=/bin)"));
        LaunchException e = assertThrows(LaunchException.class, () -> launcher.launch(spec("kafka", true), (p, s) -> {}));
        assertEquals("kafka: cannot start 'kafka-server-start.sh': posix_spawn(kafka-server-start.sh): "
                + "No such file or directory (not found in PATH=/bin)", e.getMessage());
    }

    @Test
    void outputIsCopiedToTheServiceLogFile() throws Exception {
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            Path logFile = fs.getPath("/logs/kafka.log");
            LaunchSpec s = new LaunchSpec("kafka", List.of("x"), Map.of(), Path.of("/"), null, logFile, 1 << 20, true);
            Exit exit = new Exit();
            RunningProcess p = launcher.launch(s, exit.listener(out));
            linux.write(p.pid(), false, "to the log\n");
            linux.exitAndClose(p.pid(), new ExitStatus.Exited(0));
            exit.status.get(5, TimeUnit.SECONDS);
            assertEquals("to the log\n", Files.readString(logFile));
        }
    }

    @Test
    void closedLauncherRefusesNewChildren() {
        launcher.close();
        LaunchException e = assertThrows(LaunchException.class, () -> launcher.launch(spec("late", true), (p, s) -> {}));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    private static <T> T completedWithin(CompletableFuture<T> f, long millis) throws Exception {
        try {
            return f.get(millis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return null;
        }
    }

    private static void awaitText(ByteArrayOutputStream b, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!text(b).contains(expected)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never saw '" + expected + "' in: " + text(b));
            }
            Thread.sleep(10);
        }
    }

    @Test
    void aPortSomeoneElseHoldsIsARefusalNamingTheHolder() {
        linux.portHolders.put(9092, List.of(new dev.dockhand.agent.linux.ProcFs.Listener(31337, "java kafka.Kafka old.properties")));
        LaunchSpec spec = new LaunchSpec("kafka-broker", List.of("java", "kafka.Kafka"), Map.of("PATH", "/bin"), Path.of("/"), null,
                null, 0, true, new LaunchSpec.Service(List.of(9092), Signal.TERM, Duration.ofSeconds(30)));
        LaunchException e = assertThrows(LaunchException.class, () -> launcher.launch(spec, (pid, s) -> {}));
        assertEquals("kafka-broker: port 9092 is held by pid 31337 (java kafka.Kafka old.properties), which this agent did not "
                + "start; stop it, or give this service another port", e.getMessage());
        assertTrue(linux.spawned().isEmpty(), "nothing started");

        linux.portHolders.put(9092, List.of(new dev.dockhand.agent.linux.ProcFs.Listener(linux.getpid(), "the agent")));
        launcher.launch(spec, (pid, s) -> {});
        assertEquals(1, linux.spawned().size(), "the agent's own listener is not someone else's");
        linux.exitAndClose(linux.spawned().get(0).pid(), new ExitStatus.Exited(0));
    }
}
