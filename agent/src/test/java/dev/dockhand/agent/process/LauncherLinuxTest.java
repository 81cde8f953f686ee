package dev.dockhand.agent.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.linux.ExitStatus;
import dev.dockhand.agent.linux.Linuxes;
import dev.dockhand.agent.linux.Signal;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The launcher with real processes and the real reaper. */
@EnabledOnOs(OS.LINUX)
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LauncherLinuxTest {
    private static final Map<String, String> ENV = Map.of("PATH", "/usr/bin:/bin", "LC_ALL", "C");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    /** A long grace: onExit coming early can only mean the pipes really reached EOF. */
    private final Launcher launcher = new Launcher(Linuxes.system(), new PrintStream(out, true), new PrintStream(err, true),
            Duration.ofSeconds(30));

    @AfterEach
    void stop() throws InterruptedException {
        launcher.close();
        assertTrue(launcher.awaitStopped(Duration.ofSeconds(10)), "reaper stopped: no child left behind");
    }

    private CompletableFuture<ExitStatus> launch(String id, String script) {
        CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
        launcher.launch(new LaunchSpec(id, List.of("sh", "-c", script), ENV, Path.of("/"), null, null, 0, true),
                (pid, s) -> exit.complete(s));
        return exit;
    }

    @Test
    void concurrentWritersNeverInterleaveMidLine() throws Exception {
        // 3000-byte lines straddle the output thread's 8 KiB reads and the 64 KiB pipe buffer.
        String lines = "yes \"$(head -c 3000 /dev/zero | tr '\\0' %s)\" | head -n 2000";
        CompletableFuture<ExitStatus> a = launch("a", String.format(lines, "a"));
        CompletableFuture<ExitStatus> b = launch("b", String.format(lines, "b"));
        assertEquals(new ExitStatus.Exited(0), a.get(30, TimeUnit.SECONDS));
        assertEquals(new ExitStatus.Exited(0), b.get(30, TimeUnit.SECONDS));
        String expectA = "a | " + "a".repeat(3000);
        String expectB = "b | " + "b".repeat(3000);
        int countA = 0;
        int countB = 0;
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n", -1)) {
            if (line.equals(expectA)) {
                countA++;
            } else if (line.equals(expectB)) {
                countB++;
            } else if (!line.isEmpty()) {
                throw new AssertionError("mixed or cut line of " + line.length() + " chars: " + line.substring(0, 20) + "...");
            }
        }
        assertEquals(2000, countA);
        assertEquals(2000, countB);
    }

    @Test
    void groupSignalReachesGrandchildrenSoOutputEndsAndOnExitComesPromptly() throws Exception {
        CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
        RunningProcess p = launcher.launch(new LaunchSpec("svc", List.of("sh", "-c", "sleep 60 & echo up; wait"), ENV,
                Path.of("/"), null, null, 0, true), (pid, s) -> exit.complete(s));
        awaitText("svc | up\n");
        p.signal(Signal.TERM);
        // Had only the leader got TERM, the background sleep would hold stdout open for the 30 s grace.
        assertEquals(new ExitStatus.Killed(15, false), exit.get(10, TimeUnit.SECONDS));
    }

    @Test
    void oneThreadReadsEveryChildAndAQuietOneIsNotStarvedByANoisyOne() throws Exception {
        // the noisy child's lines are counted, not kept: it writes as fast as it can until it is killed
        java.util.concurrent.atomic.AtomicLong noise = new java.util.concurrent.atomic.AtomicLong();
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        java.io.OutputStream sink = new java.io.OutputStream() {
            @Override
            public void write(int b) {
                rest.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) { // one call per prefixed line
                if (new String(b, off, Math.min(len, 8), StandardCharsets.UTF_8).equals("noisy | ")) {
                    noise.incrementAndGet();
                } else {
                    rest.write(b, off, len);
                }
            }
        };
        Launcher own = new Launcher(Linuxes.system(), new PrintStream(sink, true), new PrintStream(sink, true), Duration.ofSeconds(5));
        CompletableFuture<ExitStatus> noisyExit = new CompletableFuture<>();
        CompletableFuture<ExitStatus> quietExit = new CompletableFuture<>();
        try {
            RunningProcess noisy = own.launch(new LaunchSpec("noisy", List.of("yes", "noise"), ENV, Path.of("/"), null, null, 0, true),
                    (pid, st) -> noisyExit.complete(st));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (noise.get() < 1000) {
                assertTrue(System.nanoTime() < deadline, "the noisy child's lines never came");
                Thread.sleep(5);
            }
            own.launch(new LaunchSpec("quiet", List.of("sh", "-c", "echo hello"), ENV, Path.of("/"), null, null, 0, true),
                    (pid, st) -> quietExit.complete(st));
            assertEquals(new ExitStatus.Exited(0), quietExit.get(20, TimeUnit.SECONDS), "the quiet child's pipes were read to their end");
            assertEquals("quiet | hello\n", rest.toString(StandardCharsets.UTF_8), "while the noisy one still wrote");
            long readers = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("dockhand-output") || t.getName().endsWith("-stdout") || t.getName().endsWith("-stderr"))
                    .count();
            assertEquals(1, readers, "one output thread for every pipe of every child");
            noisy.signal(Signal.KILL);
            assertEquals(new ExitStatus.Killed(9, false), noisyExit.get(20, TimeUnit.SECONDS));
        } finally {
            own.close();
            assertTrue(own.awaitStopped(Duration.ofSeconds(10)));
        }
    }

    @Test
    void exitCodePropagates() throws Exception {
        assertEquals(new ExitStatus.Exited(5), launch("five", "echo bye >&2; exit 5").get(10, TimeUnit.SECONDS));
        assertEquals("five | bye\n", err.toString(StandardCharsets.UTF_8));
    }

    private void awaitText(String expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!out.toString(StandardCharsets.UTF_8).contains(expected)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never saw '" + expected + "' in: " + out);
            }
            Thread.sleep(10);
        }
    }
}
