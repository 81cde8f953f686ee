package dev.dockhand.agent.linux;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Stands in where the agent cannot reach the kernel (not Linux, or JNA unusable): everything that
 * needs a process fails with one clear message, while commands that only read and render files work.
 */
final class UnsupportedLinux implements Linux {
    private final String reason;

    UnsupportedLinux(String reason) {
        this.reason = reason;
    }

    private UnsupportedOperationException unsupported(String what) {
        return new UnsupportedOperationException(
                "dockhand agent cannot " + what + " here (" + reason + "); it supervises processes on Linux only."
                        + " 'agent render' and 'agent check' work anywhere.");
    }

    @Override
    public void becomeChildSubreaper() {
        throw unsupported("become a child subreaper");
    }

    @Override
    public int getpid() {
        return (int) ProcessHandle.current().pid();
    }

    @Override
    public int getuid() {
        throw unsupported("read its user id");
    }

    @Override
    public Spawned spawn(List<String> argv, Map<String, String> env, Path workDir, String runAs, boolean newSession) {
        throw unsupported("start " + (argv.isEmpty() ? "a process" : argv.get(0)));
    }

    @Override
    public Spawned spawnForeground(List<String> argv, Map<String, String> env, Path workDir, SignalState signals) {
        throw unsupported("start " + (argv.isEmpty() ? "a process" : argv.get(0)));
    }

    @Override
    public SignalState inheritedSignals() {
        throw unsupported("read its signal state");
    }

    @Override
    public void resetIgnored(Signal signal) {
        throw unsupported("change signal dispositions");
    }

    @Override
    public void unblockInCallingThread(java.util.Collection<Signal> signals) {
        throw unsupported("change its signal mask");
    }

    @Override
    public void redirectStdoutToDevNull() {
        throw unsupported("redirect its stdout");
    }

    @Override
    public Optional<WaitResult> waitAny() {
        return Optional.empty();
    }

    @Override
    public boolean kill(int pid, Signal signal) {
        throw unsupported("send signals");
    }

    @Override
    public boolean killGroup(int pgid, Signal signal) {
        throw unsupported("send signals");
    }

    @Override
    public int read(int fd, byte[] buf) {
        throw unsupported("read pipes");
    }

    @Override
    public void close(int fd) {
        throw unsupported("close file descriptors");
    }

    @Override
    public int[] pipe() {
        throw unsupported("make pipes");
    }

    @Override
    public void write(int fd, byte[] buf, int len) {
        throw unsupported("write pipes");
    }

    @Override
    public int poll(int[] fds, int[] revents, int timeoutMillis) {
        throw unsupported("poll pipes");
    }

    @Override
    public long rssBytes(int pid) {
        return -1;
    }

    @Override
    public java.util.OptionalLong startTime(int pid) {
        return java.util.OptionalLong.empty();
    }

    @Override
    public java.util.List<ProcFs.Listener> listeners(int port) {
        return java.util.List.of();
    }
}
