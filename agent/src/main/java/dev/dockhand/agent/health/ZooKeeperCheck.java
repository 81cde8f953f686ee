package dev.dockhand.agent.health;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * ZooKeeper's four-letter word {@code srvr} must report the server's mode (leader, follower,
 * standalone). That is the whole check: a server that has not joined a quorum answers "This ZooKeeper
 * instance is not currently serving requests" instead, and {@code ruok} (which says {@code imok} then
 * too) would add a connection, on a secured node a TLS handshake, and nothing else. Requires
 * {@code 4lw.commands.whitelist} to include srvr.
 */
final class ZooKeeperCheck implements HealthCheck {
    private static final int MAX_REPLY = 16 * 1024;
    private final ProbeTls tls;

    ZooKeeperCheck() {
        this(null);
    }

    /** @param tls how to reach a secure client port (four-letter words work over TLS too), or null */
    ZooKeeperCheck(ProbeTls tls) {
        this.tls = tls;
    }

    @Override
    public HealthResult check(String host, int port, Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        try {
            String srvr = fourLetter(host, port, "srvr", deadline, tls);
            for (String line : srvr.split("\n")) {
                if (line.startsWith("Mode: ")) {
                    return HealthResult.ok(line.strip() + (tls != null ? " (TLS)" : ""), Probes.since(start));
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
    static String fourLetter(String host, int port, String word, long deadlineNanos, ProbeTls tls) throws IOException {
        try (Socket s = Probes.connect(host, port, deadlineNanos, tls)) {
            s.getOutputStream().write(word.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            byte[] reply = DeadlineInput.of(s, deadlineNanos).readNBytes(MAX_REPLY);
            return new String(reply, StandardCharsets.UTF_8);
        }
    }
}
