package dev.dockhand.agent.cli;

import dev.dockhand.agent.core.Names;
import java.io.PrintWriter;

/**
 * The CLI's stdout and stderr: every control character written through it comes out as an escape
 * ({@link Names#escapeControls}), the newline that ends a line excepted. A value that an attacker
 * chose (a file name, a flag, a certificate's subject, a service's last probe) can then never move the
 * operator's cursor, clear the screen or rewrite what the terminal shows with ESC, CR or C1 sequences,
 * whichever command printed it and whether or not the code that printed it remembered to escape it.
 * {@link AgentCommand} puts one around each command's writers; only the status table's own colours
 * pass unescaped, through {@link #printTrusted}.
 */
final class TerminalWriter extends PrintWriter {
    private final PrintWriter raw;

    private TerminalWriter(PrintWriter raw) {
        super(raw, true);
        this.raw = raw;
    }

    /** {@code w} made safe for a terminal (itself when it already is). */
    static PrintWriter of(PrintWriter w) {
        return w instanceof TerminalWriter ? w : new TerminalWriter(w);
    }

    /**
     * Writes {@code text} as it is: for the agent's own escape sequences (colours) around text whose
     * values were escaped already. On any other writer it is escaped like everything else.
     */
    static void printTrusted(PrintWriter w, String text) {
        if (w instanceof TerminalWriter t) {
            t.flush();
            t.raw.print(text);
            t.raw.flush();
        } else {
            w.print(text);
        }
    }

    @Override
    public void write(int c) {
        write(String.valueOf((char) c), 0, 1);
    }

    @Override
    public void write(char[] buf, int off, int len) {
        write(new String(buf, off, len), 0, len);
    }

    @Override
    public void write(String s, int off, int len) {
        String part = s.substring(off, off + len);
        StringBuilder sb = null;
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c != '\n' && Names.isControl(c)) {
                if (sb == null) {
                    sb = new StringBuilder(part.length() + 16).append(part, 0, i);
                }
                Names.appendEscaped(sb, c);
            } else if (sb != null) {
                sb.append(c);
            }
        }
        String safe = sb == null ? part : sb.toString();
        super.write(safe, 0, safe.length());
    }
}
