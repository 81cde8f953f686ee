package dev.dockhand.agent.access;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * An output stream that passes whole lines, except those that carry a SCRAM credential as Kafka prints its
 * records ({@code UserScramCredentialRecord(name=..., salt=[...], storedKey=[...], serverKey=[...])}): such a
 * line is replaced by one that says what was left out. Kafka's {@code kafka-storage format} prints the bootstrap
 * metadata it writes, and with {@code --add-scram} that is every user's salted credential.
 */
final class SecretLineFilter extends OutputStream {
    /** What marks a line as one that holds a credential (Kafka's record and field names). */
    static final List<String> MARKERS = List.of("UserScramCredentialRecord", "storedKey", "serverKey", "saltedPassword",
            "saltedpassword", "add-scram", "add_scram");
    static final String LEFT_OUT = "(a line of Kafka's output left out: it holds the users' SCRAM credentials)";

    private final PrintStream out;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    private SecretLineFilter(PrintStream out) {
        this.out = out;
    }

    static PrintStream around(PrintStream out) {
        return new PrintStream(new SecretLineFilter(out), true, StandardCharsets.UTF_8);
    }

    /** {@code line} as it may be shown. */
    static String shown(String line) {
        for (String m : MARKERS) {
            if (line.contains(m)) {
                return LEFT_OUT;
            }
        }
        return line;
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            emit();
        } else {
            line.write(b);
        }
    }

    private void emit() {
        out.println(shown(line.toString(StandardCharsets.UTF_8)));
        out.flush();
        line.reset();
    }

    @Override
    public synchronized void flush() {
        out.flush(); // a partial line waits for its end: a marker may come later in it
    }

    @Override
    public synchronized void close() {
        if (line.size() > 0) {
            emit();
        }
        out.flush();
    }
}
