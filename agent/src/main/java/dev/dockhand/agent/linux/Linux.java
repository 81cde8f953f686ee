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
     * @param runAs user name to run as (via setpriv), or null for the agent's own user
     * @param newSession true: setsid (own group); false: stay in the agent's group (single-command mode foreground)
     */
    Spawned spawn(List<String> argv, Map<String, String> env, Path workDir, String runAs, boolean newSession);

    /** Blocks until any child changes state, reaps it. Empty when there are no children (ECHILD). */
    java.util.Optional<WaitResult> waitAny();

    /** kill(pid, sig). Returns false if the process no longer exists (ESRCH). */
    boolean kill(int pid, Signal signal);

    /** kill(-pgid, sig): the whole process group. Returns false if the group is empty (ESRCH). */
    boolean killGroup(int pgid, Signal signal);

    /** Reads up to buf.length bytes from fd; -1 at end of file. Restarts on EINTR. */
    int read(int fd, byte[] buf);

    void close(int fd);

    /** Resident set size of a process in bytes, from /proc/PID/statm; -1 if gone. */
    long rssBytes(int pid);
}
