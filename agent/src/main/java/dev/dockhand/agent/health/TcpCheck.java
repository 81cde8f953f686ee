package dev.dockhand.agent.health;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;

/** Ready when the port accepts a connection. */
final class TcpCheck implements HealthCheck {
    @Override
    public HealthResult check(String host, int port, Duration timeout) {
        long start = System.nanoTime();
        try (Socket s = Probes.connect(host, port, start + timeout.toNanos())) {
            return HealthResult.ok("port " + port + " accepts connections", Probes.since(start));
        } catch (IOException e) {
            return HealthResult.failed(Probes.describe(e, host, port), Probes.since(start));
        }
    }
}
