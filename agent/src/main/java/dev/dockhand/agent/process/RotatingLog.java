package dev.dockhand.agent.process;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's own copy of its output, capped in size: when the next line would take the file past
 * {@code maxBytes} it is renamed to {@code NAME.1} (replacing the previous one) and a new file is
 * started, so at most about twice {@code maxBytes} is ever on disk. A write error is logged once and
 * the copy stops; the service keeps running (its output still reaches the agent's stdout).
 */
final class RotatingLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RotatingLog.class);

    private final Path file;
    private final Path rotated;
    private final long maxBytes;
    private OutputStream out;
    private long size;
    private boolean failed;

    /** @param maxBytes rotation size; 0 or less: never rotate */
    RotatingLog(Path file, long maxBytes) throws IOException {
        this.file = file;
        this.rotated = file.resolveSibling(file.getFileName() + ".1");
        this.maxBytes = maxBytes;
        Path parent = file.getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        this.out = open();
        this.size = Files.size(file);
    }

    private OutputStream open() throws IOException {
        return Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    /** Appends {@code line} and a newline. */
    synchronized void append(byte[] line) {
        if (failed) {
            return;
        }
        try {
            long need = line.length + 1L;
            if (maxBytes > 0 && size > 0 && size + need > maxBytes) {
                out.close();
                Files.move(file, rotated, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                out = open();
                size = 0;
            }
            out.write(line);
            out.write('\n');
            out.flush();
            size += need;
        } catch (IOException e) {
            failed = true;
            log.warn("cannot write log file {} ({}); no longer copying output there", file, e.toString());
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            log.debug("closing {}: {}", file, e.toString());
        }
    }
}
