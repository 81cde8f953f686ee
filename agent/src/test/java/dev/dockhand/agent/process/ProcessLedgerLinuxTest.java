package dev.dockhand.agent.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.linux.ExitStatus;
import dev.dockhand.agent.linux.Linux;
import dev.dockhand.agent.linux.Linuxes;
import dev.dockhand.agent.linux.Signal;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** The ledger with real processes: what it records, and what a later agent stops and leaves alone. */
@EnabledOnOs(OS.LINUX)
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProcessLedgerLinuxTest {
    private static final Map<String, String> ENV = Map.of("PATH", "/usr/bin:/bin");
    private final Linux linux = Linuxes.system();

    @TempDir
    Path dir;

    private Path ledgerFile() {
        return dir.resolve(".dockhand/processes");
    }

    @Test
    void aServiceIsRecordedWhileItRunsAndForgottenWhenReaped() throws Exception {
        ProcessLedger ledger = new ProcessLedger(ledgerFile(), linux);
        Launcher launcher = new Launcher(linux, new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()),
                Duration.ofSeconds(5), ledger);
        try {
            CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
            RunningProcess p = launcher.launch(new LaunchSpec("svc", List.of("sleep", "60"), ENV, dir, null, null, 0, true,
                    new LaunchSpec.Service(List.of(), Signal.TERM, Duration.ofSeconds(7))), (pid, s) -> exit.complete(s));
            String line = Files.readString(ledgerFile()).strip();
            assertEquals("svc " + p.pid() + " " + linux.startTime(p.pid()).getAsLong() + " TERM 7", line);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(ledgerFile())));
            p.signal(Signal.TERM);
            exit.get(20, TimeUnit.SECONDS);
            assertEquals("", Files.readString(ledgerFile()), "forgotten once reaped");
        } finally {
            launcher.close();
        }
    }

    @Test
    void reclaimStopsTheRecordedSurvivorsAndLeavesAReusedPidAlone() throws Exception {
        // a survivor: its own session, as a service is, and not our child once we let go of it
        Process survivor = new ProcessBuilder("setsid", "sleep", "300").start();
        long pid = Await.pid(survivor);
        long start = linux.startTime((int) pid).getAsLong();
        // a process under a pid the ledger names with another start time: the pid was reused
        Process other = new ProcessBuilder("sleep", "300").start();
        long otherStart = linux.startTime((int) other.pid()).getAsLong();
        try {
            Files.createDirectories(ledgerFile().getParent());
            Files.writeString(ledgerFile(), "web " + pid + " " + start + " TERM 5\n"
                    + "old " + other.pid() + " " + (otherStart - 1) + " TERM 5\n"
                    + "a line that this agent did not write\n");
            ProcessLedger ledger = new ProcessLedger(ledgerFile(), linux);
            assertEquals(List.of("web"), ledger.survivors().stream().map(ProcessLedger.Entry::id).toList());
            assertEquals(1, ledger.reclaim(Duration.ofSeconds(10)));
            assertFalse(linux.startTime((int) pid).isPresent(), "the survivor is gone");
            assertTrue(other.isAlive(), "a process under a reused pid is never touched");
            assertEquals("", Files.readString(ledgerFile()), "a new ledger");
        } finally {
            survivor.destroyForcibly();
            other.destroyForcibly();
        }
    }

    @Test
    void aSurvivorThatIgnoresItsStopSignalIsKilledAfterItsGrace() throws Exception {
        Process stubborn = new ProcessBuilder("setsid", "sh", "-c", "trap '' TERM; while :; do sleep 1; done").start();
        long pid = Await.pid(stubborn);
        try {
            Files.createDirectories(ledgerFile().getParent());
            Files.writeString(ledgerFile(), "stubborn " + pid + " " + linux.startTime((int) pid).getAsLong() + " TERM 1\n");
            long t0 = System.nanoTime();
            assertEquals(1, new ProcessLedger(ledgerFile(), linux).reclaim(Duration.ofSeconds(30)));
            assertFalse(linux.startTime((int) pid).isPresent(), "killed");
            assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(900), "not before its grace of 1 s");
        } finally {
            stubborn.destroyForcibly();
        }
    }

    /** The pid of the program {@code setsid} runs (it execs, so the same pid once it has). */
    private static final class Await {
        static long pid(Process p) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                try {
                    String comm = Files.readString(Path.of("/proc", Long.toString(p.pid()), "comm")).strip();
                    if (!comm.equals("setsid")) {
                        return p.pid();
                    }
                } catch (java.io.IOException e) {
                    break;
                }
                Thread.sleep(10); // setsid execs its program at once
            }
            return p.pid();
        }
    }
}
