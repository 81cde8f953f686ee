package dev.dockhand.agent.linux;

import java.nio.file.Path;
import java.util.Collection;
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
     * stderr (a terminal passes straight through, as with tini), so the returned fds are -1, and it gets
     * its own process group (pgid = pid) in the agent's session: a process-group signal it sends (a
     * shell's {@code kill 0}) stays in its group. When stdin is a terminal whose foreground group is the
     * agent's, the child's group becomes the foreground (so Ctrl-C reaches the child, as under tini).
     * All other fds are closed.
     *
     * @param signals the child's signal mask, and the signals it starts with ignored; every other
     *     signal is at its default disposition. A signal can only start ignored if it is ignored in the
     *     agent at the moment of the spawn (posix_spawn can reset a disposition, never set SIG_IGN).
     */
    Spawned spawnForeground(List<String> argv, Map<String, String> env, Path workDir, SignalState signals);

    /**
     * The signal mask this process was started with (that of its first thread, which the JVM's launcher
     * leaves as inherited) and the signals ignored now. Read it before installing any handler: a handler
     * replaces SIG_IGN. The JVM has by then replaced the disposition of PIPE, XFSZ, QUIT, USR2 and the
     * fault signals with its own, so that whether those were ignored is no longer known.
     */
    SignalState inheritedSignals();

    /**
     * If {@code signal} is ignored, gives it a handler that does nothing (libc's getpid, async-signal-safe
     * and without effect), so that a handler can be installed over it. The JVM silently refuses to handle
     * HUP, INT or TERM while they are ignored (a shell starts a background job with INT ignored); a
     * handler that does nothing rather than SIG_DFL, so that the signal is dropped, never fatal, until
     * the JVM's handler replaces it.
     */
    void resetIgnored(Signal signal);

    /**
     * pthread_sigmask(SIG_UNBLOCK) in the calling thread: the JVM's threads keep a signal mask they
     * inherited, and a signal blocked in every thread would never reach a handler.
     */
    void unblockInCallingThread(Collection<Signal> signals);

    /**
     * Points fd 1 of this process at /dev/null. Single-command mode writes nothing to stdout after the
     * child has its copy, and the JVM prints its thread dump on SIGQUIT there, into the child's output.
     */
    void redirectStdoutToDevNull();

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
