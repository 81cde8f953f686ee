package dev.dockhand.agent.linux;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The agent's whole surface to the Linux kernel, in Java types only. {@link Linuxes#system()} gives
 * the JNA implementation; tests use a fake. Nothing outside this package touches JNA.
 *
 * <p>Reaping contract (see docs/adr/001-reaping.md): the agent spawns every child itself with
 * {@link #spawn} and exactly one thread calls {@link #waitAny()}; nothing in the agent uses
 * {@link java.lang.ProcessBuilder}, so no exit status is ever stolen from another waiter.
 */
public interface Linux {

    /** prctl(PR_SET_CHILD_SUBREAPER, 1): orphans of our descendants are re-parented to us. */
    void becomeChildSubreaper();

    int getpid();

    int getuid();

    /**
     * posix_spawn a child in a new session (so its own process group, pgid = pid), stdin from
     * /dev/null, stdout and stderr to pipes the caller reads, all other fds closed, signal mask empty
     * and every signal at its default disposition.
     *
     * @param argv argv[0] is resolved against PATH from {@code env} when it has no slash
     * @param env the child's complete environment
     * @param workDir working directory of the child
     * @param runAs user name to run as, or null for the agent's own user: argv is prefixed with
     *     {@code setpriv --reuid=USER --regid=GID --init-groups --} (util-linux, essential in Debian),
     *     which needs the agent to run as root
     * @throws ErrnoException when the executable, the work dir or the user does not exist, or the
     *     kernel refuses; the message names the call and the reason
     * @param newSession true: setsid (own group); false: stay in the agent's group (single-command mode foreground)
     */
    Spawned spawn(List<String> argv, Map<String, String> env, Path workDir, String runAs, boolean newSession);

    /**
     * Single-command mode: like {@link #spawn} but the child inherits the agent's stdin, stdout and
     * stderr (a terminal passes straight through, as with tini), so the returned fds are -1. All other
     * fds are closed, the signal mask is empty and every signal is at its default disposition.
     *
     * @param ownProcessGroup false: stay in the agent's process group, so a terminal's Ctrl-C reaches
     *     the child directly; true: a new process group (pgid = pid) in the agent's session which, when
     *     stdin is a terminal, becomes the terminal's foreground group (tini's {@code -g})
     */
    default Spawned spawnForeground(List<String> argv, Map<String, String> env, Path workDir, boolean ownProcessGroup) {
        throw new UnsupportedOperationException("spawnForeground is not implemented by " + getClass().getName());
    }

    /**
     * prctl(PR_SET_PDEATHSIG): the kernel sends {@code signal} to the agent when its parent dies
     * (tini's {@code -p}).
     */
    default void setParentDeathSignal(Signal signal) {
        throw new UnsupportedOperationException("setParentDeathSignal is not implemented by " + getClass().getName());
    }

    /** Blocks until any child changes state, reaps it. Empty when there are no children (ECHILD). */
    java.util.Optional<WaitResult> waitAny();

    /** kill(pid, sig). Returns false if the process no longer exists (ESRCH). */
    boolean kill(int pid, Signal signal);

    /** kill(-pgid, sig): the whole process group. Returns false if the group is empty (ESRCH). */
    boolean killGroup(int pgid, Signal signal);

    /** Reads up to buf.length bytes from fd; -1 at end of file. Restarts on EINTR. */
    int read(int fd, byte[] buf);

    void close(int fd);

    /** pipe2(O_CLOEXEC): {read end, write end}, for waking a thread blocked in {@link #poll}. */
    int[] pipe();

    /** Writes all of {@code buf[0..len)} to fd. Restarts on EINTR. */
    void write(int fd, byte[] buf, int len);

    /**
     * poll(2) for input on {@code fds}: blocks until at least one has data, has reached end of file or
     * has failed, or until {@code timeoutMillis} (-1: no timeout). {@code revents[i]} is set to the
     * events of {@code fds[i]}: nonzero means a {@link #read} will not block. Returns the number of fds
     * with events; 0 after the timeout or when a signal interrupted the wait.
     */
    int poll(int[] fds, int[] revents, int timeoutMillis);

    /** Resident set size of a process in bytes, from /proc/PID/statm; -1 if gone. */
    long rssBytes(int pid);

    /**
     * When {@code pid} started, in clock ticks since boot; empty when no such process is alive. A pid
     * and its start time together name one process: a pid alone may have been reused.
     */
    default java.util.OptionalLong startTime(int pid) {
        return ProcFs.system().startTime(pid);
    }

    /** The processes listening on TCP {@code port} in this network namespace (see {@link ProcFs#listeners}). */
    default List<ProcFs.Listener> listeners(int port) {
        return ProcFs.system().listeners(port);
    }
}
