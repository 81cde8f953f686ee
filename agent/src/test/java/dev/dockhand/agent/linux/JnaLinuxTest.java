package dev.dockhand.agent.linux;

import dev.dockhand.agent.testing.Need;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** Real syscalls. Each test reaps what it spawns; the class timeout bounds every blocking wait. */
@EnabledOnOs(OS.LINUX)
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class JnaLinuxTest {
    private static final Map<String, String> ENV = Map.of("PATH", "/usr/bin:/bin", "LC_ALL", "C");

    private final JnaLinux linux = new JnaLinux();

    @TempDir
    Path tmp;

    /**
     * This test calls waitpid(-1) itself, so it must be the only waiter of the process: a reaper thread
     * left from another test class in this JVM would take its children's exits (and it theirs). The
     * reaper's thread ends once no launcher is open and no child is left.
     */
    @BeforeEach
    void noReaperRunsInThisProcess() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("dockhand-reaper") && t.isAlive())) {
            assertTrue(System.nanoTime() < deadline, "a dockhand-reaper thread of another test still runs: a child was left behind");
            Thread.sleep(20);
        }
    }

    /** Reaps until {@code pid} comes by (other tests' orphans may come first: we are a subreaper). */
    private WaitResult waitFor(int pid) {
        while (true) {
            Optional<WaitResult> r = linux.waitAny();
            assertTrue(r.isPresent(), "no children left while waiting for " + pid);
            if (r.get().pid() == pid) {
                return r.get();
            }
        }
    }

    private String readAll(int fd) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        int n;
        while ((n = linux.read(fd, buf)) > 0) {
            bytes.write(buf, 0, n);
        }
        linux.close(fd);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Runs a short command to its end: stdout, stderr, status. */
    private record Result(String out, String err, ExitStatus status) {}

    private Result run(List<String> argv, Map<String, String> env, Path dir, String runAs) {
        Spawned s = linux.spawn(argv, env, dir, runAs, true);
        String err = readAll(s.stderrFd());
        String out = readAll(s.stdoutFd());
        return new Result(out, err, waitFor(s.pid()).status());
    }

    @Test
    void pollSaysWhichPipeHasDataAndWhenOneReachedEndOfFile() {
        int[] a = linux.pipe();
        int[] b = linux.pipe();
        try {
            int[] revents = new int[2];
            assertEquals(0, linux.poll(new int[] {a[0], b[0]}, revents, 50), "nothing written: the timeout");
            linux.write(b[1], "hi\n".getBytes(StandardCharsets.UTF_8), 3);
            assertEquals(1, linux.poll(new int[] {a[0], b[0]}, revents, 5000));
            assertEquals(0, revents[0], "a has nothing");
            assertTrue(revents[1] != 0, "b has data");
            byte[] buf = new byte[16];
            assertEquals(3, linux.read(b[0], buf));
            linux.close(a[1]);
            a[1] = -1;
            assertEquals(1, linux.poll(new int[] {a[0], b[0]}, revents, 5000), "a's writer is gone: end of file is an event");
            assertTrue(revents[0] != 0);
            assertEquals(-1, linux.read(a[0], buf), "and reads as end of file");
        } finally {
            for (int fd : new int[] {a[0], a[1], b[0], b[1]}) {
                if (fd >= 0) {
                    linux.close(fd);
                }
            }
        }
    }

    @Test
    void subreaperFlagReadsBack() {
        linux.becomeChildSubreaper();
        assertTrue(linux.isChildSubreaper());
    }

    @Test
    void childInNewSessionLeadsItsGroupAndDiesOfTheGroupKill() throws IOException {
        Spawned s = linux.spawn(List.of("sleep", "30"), ENV, tmp, null, true);
        try {
            String stat = Files.readString(Path.of("/proc", Integer.toString(s.pid()), "stat"));
            // pid (comm) state ppid pgrp session ...
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            assertEquals(s.pid(), Integer.parseInt(f[2]), "pgrp");
            assertEquals(s.pid(), Integer.parseInt(f[3]), "session");
            assertEquals(linux.getpid(), Integer.parseInt(f[1]), "ppid");
        } finally {
            assertTrue(linux.killGroup(s.pid(), Signal.TERM));
        }
        assertEquals(new ExitStatus.Killed(15, false), waitFor(s.pid()).status());
        assertEquals("", readAll(s.stdoutFd()));
        readAll(s.stderrFd());
        assertFalse(linux.kill(s.pid(), Signal.TERM), "a reaped pid is gone (ESRCH)");
    }

    @Test
    void exitCodeAndBothStreams() {
        Result r = run(List.of("sh", "-c", "echo out; echo err >&2; exit 3"), ENV, tmp, null);
        assertEquals(new ExitStatus.Exited(3), r.status());
        assertEquals("out\n", r.out());
        assertEquals("err\n", r.err());
    }

    @Test
    void childStartsWithNothingBlockedNothingIgnoredStdinNullAndNoExtraFds() {
        Result r = run(List.of("sh", "-c",
                "grep -E '^Sig(Blk|Ign)' /proc/self/status; ls /proc/self/fd | sort -n | tr '\\n' ' '; cat; echo end"),
                ENV, tmp, null);
        assertEquals(new ExitStatus.Exited(0), r.status(), r.err());
        String[] lines = r.out().split("\n");
        assertEquals("SigBlk:\t0000000000000000", lines[0]);
        // glibc's posix_spawn leaves only its two internal signals (32 SIGCANCEL, 33 SIGSETXID) ignored;
        // sigfillset excludes them and the new program's libc installs its own handlers for them.
        long ignored = Long.parseLong(lines[1].substring("SigIgn:\t".length()), 16);
        assertEquals(0, ignored & ~((1L << 31) | (1L << 32)), lines[1]);
        // ls itself has fd 3 open on the directory it lists; nothing else may be inherited.
        assertEquals("0 1 2 3 end", lines[2]);
    }

    @Test
    void workDirAndPathComeFromTheSpec() throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path tool = bin.resolve("dockhand-hello");
        Files.writeString(tool, "#!/bin/sh\necho hello from $(pwd)\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path work = Files.createDirectories(tmp.resolve("work"));
        Result r = run(List.of("dockhand-hello"), Map.of("PATH", bin + ":/usr/bin:/bin"), work, null);
        assertEquals("hello from " + work.toRealPath() + "\n", r.out());
    }

    @Test
    void missingExecutableNamesTheCommand() {
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> linux.spawn(List.of("dockhand-no-such-cmd"), ENV, tmp, null, true));
        assertEquals("posix_spawn(dockhand-no-such-cmd): No such file or directory (not found in PATH=/usr/bin:/bin)",
                e.getMessage());
        assertEquals(JnaLinux.ENOENT, e.errno());

        ErrnoException abs = assertThrows(ErrnoException.class,
                () -> linux.spawn(List.of("/usr/bin/dockhand-x"), ENV, tmp, null, true));
        assertEquals("posix_spawn(/usr/bin/dockhand-x): No such file or directory", abs.getMessage());

        ErrnoException dir = assertThrows(ErrnoException.class,
                () -> linux.spawn(List.of("true"), ENV, tmp.resolve("gone"), null, true));
        assertTrue(dir.getMessage().contains("work dir " + tmp.resolve("gone") + " does not exist"), dir.getMessage());
    }

    @Test
    void runAsSwitchesUserAndGroup() {
        Need.that(linux.getuid() == 0, () -> "needs root to switch users");
        Result r = run(List.of("sh", "-c", "id -u; id -g"), ENV, Path.of("/"), "nobody");
        assertEquals(new ExitStatus.Exited(0), r.status(), r.err());
        assertEquals("65534\n65534\n", r.out());
    }

    @Test
    void unknownRunAsUserIsAClearError() {
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> linux.spawn(List.of("true"), ENV, tmp, "dockhand-no-such-user", true));
        assertTrue(e.getMessage().startsWith("getpwnam(dockhand-no-such-user): no such user"), e.getMessage());
    }

    @Test
    void foregroundChildHasItsOwnGroupInTheAgentsSessionAndTheMaskItIsGiven() throws IOException {
        Path out = tmp.resolve("status");
        SignalState given = new SignalState(Signal.USR1.bit() | Signal.WINCH.bit() | (1L << 40), 0);
        // bash, not dash: dash clears the signal mask it starts with
        Spawned s = linux.spawnForeground(List.of("bash", "-c", "grep -E '^Sig(Blk|Ign)' /proc/self/status > " + out + "; exec sleep 30"),
                ENV, tmp, given);
        try {
            assertEquals(-1, s.stdoutFd());
            String stat = Files.readString(Path.of("/proc", Integer.toString(s.pid()), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            assertEquals(s.pid(), Integer.parseInt(f[2]), "own process group");
            String mySession = Files.readString(Path.of("/proc/self/stat"));
            String[] m = mySession.substring(mySession.lastIndexOf(')') + 2).split(" ");
            assertEquals(m[3], f[3], "same session as the agent");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Files.exists(out) || Files.readString(out).lines().count() < 2) {
                assertTrue(System.nanoTime() < deadline, "the child never wrote " + out);
                Thread.sleep(10);
            }
            List<String> lines = Files.readAllLines(out);
            assertEquals(String.format("SigBlk:\t%016x", given.blocked()), lines.get(0), "the mask it was given, real-time signals too");
            long ignored = Long.parseLong(lines.get(1).substring("SigIgn:\t".length()), 16);
            assertEquals(0, ignored & 0x7fffffffL, "no standard signal ignored (the JVM's own dispositions are not passed on)");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        } finally {
            linux.killGroup(s.pid(), Signal.KILL);
        }
        assertEquals(new ExitStatus.Killed(9, false), waitFor(s.pid()).status());
    }

    @Test
    void inheritedSignalsAreThoseOfTheFirstThreadAndTheProcess() throws IOException {
        SignalState state = linux.inheritedSignals();
        String first = Files.readString(Path.of("/proc/self/task", Integer.toString(linux.getpid()), "status"));
        long blocked = first.lines().filter(l -> l.startsWith("SigBlk:")).mapToLong(l -> Long.parseUnsignedLong(l.substring(7).strip(), 16))
                .findFirst().orElseThrow();
        assertEquals(blocked & ~((1L << 31) | (1L << 32)), state.blocked());
        assertFalse(state.isIgnored(Signal.TERM), "the test JVM handles TERM: " + state);
    }

    @Test
    void resetIgnoredLeavesAHandledSignalAlone() {
        long before = linux.disposition(Signal.TERM);
        assertTrue(before > 1, "the JVM handles TERM");
        linux.resetIgnored(Signal.TERM);
        assertEquals(before, linux.disposition(Signal.TERM));
    }

    @Test
    void rssOfALiveAndAGoneProcess() {
        assertTrue(linux.rssBytes(linux.getpid()) > 1024 * 1024, "a JVM uses more than 1 MiB");
        Spawned s = linux.spawn(List.of("true"), ENV, tmp, null, true);
        readAll(s.stdoutFd());
        readAll(s.stderrFd());
        waitFor(s.pid());
        assertEquals(-1, linux.rssBytes(s.pid()));
    }

    @Test
    void killRefusesPidsThatMeanMoreThanOneProcess() {
        assertThrows(IllegalArgumentException.class, () -> linux.kill(0, Signal.TERM));
        assertThrows(IllegalArgumentException.class, () -> linux.kill(-1, Signal.TERM));
        assertThrows(IllegalArgumentException.class, () -> linux.killGroup(1, Signal.TERM));
    }

    @Test
    void systemIsJnaOnLinux() {
        assertTrue(Linuxes.system() instanceof JnaLinux);
    }
}
