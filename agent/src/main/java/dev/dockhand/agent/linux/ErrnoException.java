package dev.dockhand.agent.linux;

/**
 * A system call failed. The message names the call and the reason in the shape
 * {@code posix_spawn(/usr/bin/x): No such file or directory}, so an operator sees what was tried.
 */
public final class ErrnoException extends RuntimeException {
    /** No such file or directory. */
    public static final int ENOENT = 2;
    /** A path component is not a directory. */
    public static final int ENOTDIR = 20;

    private final String call;
    private final int errno;
    private final String reason;

    public ErrnoException(String call, int errno, String reason) {
        super(call + ": " + reason);
        this.call = call;
        this.errno = errno;
        this.reason = reason;
    }

    /** The call with its main argument, e.g. {@code kill(42, SIGTERM)}. */
    public String call() {
        return call;
    }

    /** The errno value (a positive {@code E*} constant). */
    public int errno() {
        return errno;
    }

    /** Why it failed, without the call: {@code No such file or directory (not found in PATH=/bin)}. */
    public String reason() {
        return reason;
    }
}
