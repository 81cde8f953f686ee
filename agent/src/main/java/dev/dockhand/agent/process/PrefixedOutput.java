package dev.dockhand.agent.process;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The agent's stdout and stderr as shared by every child: each line is written as one
 * {@code <id> | <line>\n} byte array under one lock (one lock for both streams, since both usually
 * reach the same terminal or log collector), so lines of different services never interleave.
 */
final class PrefixedOutput {
    private final PrintStream out;
    private final PrintStream err;
    private final Object lock = new Object();

    PrefixedOutput(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    static byte[] prefixed(String id, byte[] line) {
        byte[] prefix = (id + " | ").getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[prefix.length + line.length + 1];
        System.arraycopy(prefix, 0, all, 0, prefix.length);
        System.arraycopy(line, 0, all, prefix.length, line.length);
        all[all.length - 1] = '\n';
        return all;
    }

    void write(boolean stderr, String id, byte[] line) {
        byte[] all = prefixed(id, line);
        PrintStream target = stderr ? err : out;
        synchronized (lock) {
            target.write(all, 0, all.length);
            target.flush();
        }
    }
}
