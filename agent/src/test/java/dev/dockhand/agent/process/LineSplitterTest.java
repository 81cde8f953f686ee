package dev.dockhand.agent.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineSplitterTest {
    private final List<String> lines = new ArrayList<>();

    private LineSplitter splitter(int max) {
        return new LineSplitter(max, b -> lines.add(new String(b, StandardCharsets.UTF_8)));
    }

    private static void feed(LineSplitter s, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        s.feed(b, 0, b.length);
    }

    @Test
    void linesAcrossReadsAndEmptyLines() {
        LineSplitter s = splitter(64);
        feed(s, "one\ntw");
        feed(s, "o\n\nthr");
        assertEquals(List.of("one", "two", ""), lines);
        feed(s, "ee");
        s.finish();
        assertEquals(List.of("one", "two", "", "three"), lines);
    }

    @Test
    void finishWithoutPartialLineEmitsNothing() {
        LineSplitter s = splitter(64);
        feed(s, "a\n");
        s.finish();
        assertEquals(List.of("a"), lines);
    }

    @Test
    void overlongLinesAreCutAtTheCap() {
        LineSplitter s = splitter(4);
        feed(s, "abcdefghij\nxy\n");
        assertEquals(List.of("abcd", "efgh", "ij", "xy"), lines);
    }

    @Test
    void cutNeverSplitsAUtf8Character() {
        LineSplitter s = splitter(4);
        // "ab" + "é" (2 bytes) = 4 bytes fits; "abc" + "é" would be 5: the é moves to the next piece.
        feed(s, "abcé\nab€x\n");
        assertEquals(List.of("abc", "é", "ab", "€x"), lines);
    }

    @Test
    void offsetAndLengthAreHonoured() {
        LineSplitter s = splitter(16);
        byte[] b = "xxhello\nyy".getBytes(StandardCharsets.UTF_8);
        s.feed(b, 2, 6);
        assertEquals(List.of("hello"), lines);
    }
}
