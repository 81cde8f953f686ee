package dev.dockhand.agent.process;

import dev.dockhand.agent.linux.Linux;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread reads the stdout and stderr pipes of every child, line by line: poll(2) over all of
 * them plus a wake-up pipe (to take on a new child's pipes), then at most one read of
 * {@link #BUFFER} bytes from each pipe that has data, so a service that writes a lot cannot starve
 * the others. A thread per pipe did the same at about 170 KiB of the agent's memory each (two per
 * service).
 *
 * <p>Each pipe is read until end of file (when the child and every process that inherited the pipe
 * have exited or closed it), then closed; the future {@link #add} returned completes after its last
 * line went out. A slow consumer (the agent's stdout, when whoever reads it does not keep up) holds
 * back every pipe: the children block on their own writes, nothing is dropped.
 */
final class OutputMux {
    private static final Logger log = LoggerFactory.getLogger(OutputMux.class);

    /** Longest line passed on whole; longer ones are cut into pieces of this size. */
    static final int MAX_LINE = 16 * 1024;
    static final int BUFFER = 8192;

    private final Linux linux;
    private final ConcurrentLinkedQueue<Stream> added = new ConcurrentLinkedQueue<>();
    private final Object lock = new Object();
    private int[] wake; // {read end, write end}; made with the thread, closed when it ends
    private Thread thread;
    private boolean closed;

    OutputMux(Linux linux) {
        this.linux = linux;
    }

    /**
     * Reads {@code fd} from now on and passes each line (without its newline) to {@code lines}, on the
     * mux's thread. The returned future completes at end of file, after the last line.
     *
     * @param name for log lines about this pipe ({@code kafka-broker-stderr})
     */
    CompletableFuture<Void> add(int fd, String name, Consumer<byte[]> lines) {
        Stream s = new Stream(fd, name, new LineSplitter(MAX_LINE, lines));
        synchronized (lock) {
            if (thread == null) {
                wake = linux.pipe();
                thread = new Thread(this::run, "dockhand-output");
                thread.setDaemon(true);
                thread.start();
            }
            added.add(s);
            linux.write(wake[1], new byte[] {1}, 1);
        }
        return s.done;
    }

    /** The thread ends once every pipe it reads has reached end of file. */
    void close() {
        synchronized (lock) {
            closed = true;
            if (thread != null) {
                linux.write(wake[1], new byte[] {1}, 1);
            }
        }
    }

    /** For tests: the thread has ended (after {@link #close} and the last end of file). */
    boolean awaitStopped(java.time.Duration timeout) throws InterruptedException {
        Thread t;
        synchronized (lock) {
            t = thread;
        }
        if (t != null) {
            t.join(timeout.toMillis());
        }
        synchronized (lock) {
            return thread == null;
        }
    }

    private void run() {
        int wakeFd;
        synchronized (lock) {
            wakeFd = wake[0];
        }
        List<Stream> streams = new ArrayList<>();
        byte[] buf = new byte[BUFFER];
        int[] fds = new int[1];
        int[] revents = new int[1];
        while (true) {
            for (Stream s; (s = added.poll()) != null; ) {
                streams.add(s);
            }
            synchronized (lock) {
                if (closed && streams.isEmpty() && added.isEmpty()) {
                    linux.close(wake[0]);
                    linux.close(wake[1]);
                    wake = null;
                    thread = null; // an add after this starts a new thread
                    return;
                }
            }
            if (fds.length != streams.size() + 1) {
                fds = new int[streams.size() + 1];
                revents = new int[fds.length];
            }
            fds[0] = wakeFd;
            for (int i = 0; i < streams.size(); i++) {
                fds[i + 1] = streams.get(i).fd;
            }
            try {
                if (linux.poll(fds, revents, -1) == 0) {
                    continue; // a signal interrupted the wait
                }
            } catch (RuntimeException e) {
                log.error("output: poll failed, the services' output is no longer read: {}", e.getMessage());
                streams.forEach(s -> s.end(linux));
                synchronized (lock) {
                    for (Stream s; (s = added.poll()) != null; ) {
                        s.end(linux);
                    }
                    linux.close(wake[0]);
                    linux.close(wake[1]);
                    wake = null;
                    thread = null; // a later add starts a new thread
                }
                return;
            }
            if (revents[0] != 0) {
                linux.read(wakeFd, buf); // one byte per add or close; the queue says what is new
            }
            for (int i = streams.size() - 1; i >= 0; i--) {
                if (revents[i + 1] != 0 && !streams.get(i).readOnce(linux, buf)) {
                    streams.remove(i).end(linux);
                }
            }
        }
    }

    /** One pipe of one child. */
    private static final class Stream {
        final int fd;
        final String name;
        final LineSplitter splitter;
        final CompletableFuture<Void> done = new CompletableFuture<>();

        Stream(int fd, String name, LineSplitter splitter) {
            this.fd = fd;
            this.name = name;
            this.splitter = splitter;
        }

        /** One read; false at end of file (or when the pipe cannot be read any more). */
        boolean readOnce(Linux linux, byte[] buf) {
            try {
                int n = linux.read(fd, buf);
                if (n > 0) {
                    splitter.feed(buf, 0, n);
                    return true;
                }
            } catch (RuntimeException e) {
                log.warn("{}: reading output failed: {}", name, e.getMessage());
            }
            return false;
        }

        void end(Linux linux) {
            try {
                splitter.finish();
            } catch (RuntimeException e) {
                log.warn("{}: passing on the last line failed: {}", name, e.getMessage());
            }
            try {
                linux.close(fd);
            } catch (RuntimeException e) {
                log.debug("{}: close({}) failed: {}", name, fd, e.getMessage());
            }
            done.complete(null);
        }
    }
}
