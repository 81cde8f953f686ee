package dev.dockhand.agent.process;

import dev.dockhand.agent.linux.Linux;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one pipe of a child until end of file, line by line, and closes it. {@link #done} completes
 * at EOF: when the child and every process that inherited the pipe (its own children) have exited or
 * closed it.
 */
final class OutputPump implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(OutputPump.class);

    /** Longest line passed on whole; longer ones are cut into pieces of this size. */
    static final int MAX_LINE = 16 * 1024;
    private static final int BUFFER = 8192;

    private final Linux linux;
    private final int fd;
    private final String name;
    private final Consumer<byte[]> lines;
    final CompletableFuture<Void> done = new CompletableFuture<>();

    OutputPump(Linux linux, int fd, String name, Consumer<byte[]> lines) {
        this.linux = linux;
        this.fd = fd;
        this.name = name;
        this.lines = lines;
    }

    Thread start() {
        Thread t = new Thread(this, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Override
    public void run() {
        LineSplitter splitter = new LineSplitter(MAX_LINE, lines);
        byte[] buf = new byte[BUFFER];
        try {
            int n;
            while ((n = linux.read(fd, buf)) > 0) {
                splitter.feed(buf, 0, n);
            }
            splitter.finish();
        } catch (RuntimeException e) {
            log.warn("{}: reading output failed: {}", name, e.getMessage());
        } finally {
            try {
                linux.close(fd);
            } catch (RuntimeException e) {
                log.debug("{}: close({}) failed: {}", name, fd, e.getMessage());
            }
            done.complete(null);
        }
    }
}
