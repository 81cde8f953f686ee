package dev.dockhand.agent.process;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Cuts a byte stream into lines (without their {@code \n}). A line longer than {@code maxLine} is
 * emitted in pieces of at most that size, cut at a UTF-8 character boundary, so a service that never
 * writes a newline cannot grow the agent's memory; {@link #finish()} emits a last partial line.
 * Not thread-safe: one splitter per stream.
 */
final class LineSplitter {
    private final int maxLine;
    private final Consumer<byte[]> sink;
    private final byte[] line;
    private int len;

    LineSplitter(int maxLine, Consumer<byte[]> sink) {
        if (maxLine < 4) {
            throw new IllegalArgumentException("maxLine must hold a UTF-8 character: " + maxLine);
        }
        this.maxLine = maxLine;
        this.sink = sink;
        this.line = new byte[maxLine];
    }

    void feed(byte[] buf, int off, int n) {
        for (int i = off; i < off + n; i++) {
            byte b = buf[i];
            if (b == '\n') {
                emit(len);
                continue;
            }
            if (len == maxLine) {
                emit(utf8Boundary());
            }
            line[len++] = b;
        }
    }

    /** At end of file: a last line without a newline is still a line. */
    void finish() {
        if (len > 0) {
            emit(len);
        }
    }

    /** Emits the first {@code n} buffered bytes as a line and keeps the rest for the next one. */
    private void emit(int n) {
        sink.accept(Arrays.copyOf(line, n));
        System.arraycopy(line, n, line, 0, len - n);
        len -= n;
    }

    /** Where to cut a full buffer so no UTF-8 sequence is split: before a trailing incomplete one. */
    private int utf8Boundary() {
        // Walk back over at most 3 continuation bytes (10xxxxxx) to the lead byte of the last char.
        int i = len - 1;
        int back = 0;
        while (i > 0 && back < 3 && (line[i] & 0xC0) == 0x80) {
            i--;
            back++;
        }
        int lead = line[i] & 0xFF;
        int need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        if (i > 0 && lead >= 0xC0 && len - i < need) {
            return i; // the last character is incomplete: cut before it
        }
        return len;
    }
}
