package dev.dockhand.agent.workbench;

import java.util.ArrayList;
import java.util.List;

/** The shell's text rules the workbench script is read by: backslash continuations, then words as a POSIX shell splits them. */
final class ShellText {
    private ShellText() {}

    /** A logical line: its words and the physical line it starts on. */
    record Line(int number, String text) {}

    static List<Line> logicalLines(String text) {
        String[] physical = text.split("\r?\n", -1);
        List<Line> out = new ArrayList<>();
        for (int i = 0; i < physical.length; i++) {
            int start = i;
            String line = physical[i].stripTrailing();
            StringBuilder b = new StringBuilder();
            while (endsWithContinuation(line) && i + 1 < physical.length) {
                b.append(line, 0, line.length() - 1).append(' ');
                line = physical[++i].strip();
            }
            b.append(endsWithContinuation(line) ? line.substring(0, line.length() - 1) : line);
            out.add(new Line(start + 1, b.toString()));
        }
        return out;
    }

    private static boolean endsWithContinuation(String line) {
        int n = 0;
        for (int i = line.length() - 1; i >= 0 && line.charAt(i) == '\\'; i--) {
            n++;
        }
        return n % 2 == 1;
    }

    /** Splits a line into words as a POSIX shell does for quotes and backslashes; {@code #} at a word start ends the line. */
    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (Character.isWhitespace(ch)) {
                if (inWord) {
                    out.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
            } else if (ch == '#' && !inWord) {
                break;
            } else if (ch == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated ' quote");
                }
                w.append(line, i + 1, end);
                i = end;
                inWord = true;
            } else if (ch == '"') {
                int j = i + 1;
                for (; j < line.length() && line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\' && j + 1 < line.length() && "\"\\$`".indexOf(line.charAt(j + 1)) >= 0) {
                        c = line.charAt(++j);
                    }
                    w.append(c);
                }
                if (j >= line.length()) {
                    throw new IllegalArgumentException("unterminated \" quote");
                }
                i = j;
                inWord = true;
            } else if (ch == '\\' && i + 1 < line.length()) {
                w.append(line.charAt(++i));
                inWord = true;
            } else {
                w.append(ch);
                inWord = true;
            }
        }
        if (inWord) {
            out.add(w.toString());
        }
        return out;
    }
}
