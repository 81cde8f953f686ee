package dev.dockhand.agent.health;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * ZooKeeper's four-letter words: {@code ruok} must answer {@code imok} and {@code srvr} must report
 * the server's mode. Both are needed: a ZooKeeper that has not joined a quorum says {@code imok} to
 * {@code ruok} but answers {@code srvr} with "This ZooKeeper instance is not currently serving
 * requests". Requires {@code 4lw.commands.whitelist} to include ruok and srvr.
 */
final class ZooKeeperCheck implements HealthCheck {
    private static final int MAX_REPLY = 16 * 1024;

    @Override
    public HealthResult check(String host, int port, Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        try {
            String ruok = fourLetter(host, port, "ruok", deadline);
            if (!ruok.strip().equals("imok")) {
                return HealthResult.failed("ruok answered '" + ruok.strip() + "'"
                        + (ruok.isBlank() ? " (is ruok in 4lw.commands.whitelist?)" : ""), Probes.since(start));
            }
            String srvr = fourLetter(host, port, "srvr", deadline);
            for (String line : srvr.split("\n")) {
                if (line.startsWith("Mode: ")) {
                    return HealthResult.ok(line.strip(), Probes.since(start));
                }
            }
            String first = srvr.lines().findFirst().orElse("").strip();
            return HealthResult.failed("srvr: " + (first.isEmpty() ? "no answer (is srvr in 4lw.commands.whitelist?)" : first),
                    Probes.since(start));
        } catch (IOException e) {
            return HealthResult.failed(Probes.describe(e, host, port), Probes.since(start));
        }
    }

    /** Sends a four-letter word and reads the reply until the server closes the connection. */
    static String fourLetter(String host, int port, String word, long deadlineNanos) throws IOException {
        try (Socket s = Probes.connect(host, port, deadlineNanos)) {
            s.getOutputStream().write(word.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            byte[] reply = DeadlineInput.of(s, deadlineNanos).readNBytes(MAX_REPLY);
            return new String(reply, StandardCharsets.UTF_8);
        }
    }
}
