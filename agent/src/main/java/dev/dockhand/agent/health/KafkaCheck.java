package dev.dockhand.agent.health;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ready when the broker answers an ApiVersions request (API key 18, version 0) over the Kafka protocol
 * with error code 0: an open port alone does not mean a broker that serves requests. Written against
 * the protocol, not kafka-clients, which never loads in the agent's PID-1 path.
 */
final class KafkaCheck implements HealthCheck {
    static final short API_VERSIONS = 18;
    private static final String CLIENT_ID = "dockhand-probe";
    private static final int MAX_RESPONSE = 1 << 20;

    @Override
    public HealthResult check(String host, int port, Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        int correlation = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
        try (Socket s = Probes.connect(host, port, deadline)) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            byte[] client = CLIENT_ID.getBytes(StandardCharsets.UTF_8);
            // request header v1: api_key, api_version, correlation_id, client_id (nullable string); empty body
            out.writeInt(2 + 2 + 4 + 2 + client.length);
            out.writeShort(API_VERSIONS);
            out.writeShort(0);
            out.writeInt(correlation);
            out.writeShort(client.length);
            out.write(client);
            out.flush();
            DataInputStream in = new DataInputStream(DeadlineInput.of(s, deadline));
            int size = in.readInt();
            if (size < 10 || size > MAX_RESPONSE) {
                return HealthResult.failed("not a Kafka ApiVersions response (size " + size + ")", Probes.since(start));
            }
            int gotCorrelation = in.readInt();
            short error = in.readShort();
            int count = in.readInt();
            if (gotCorrelation != correlation) {
                return HealthResult.failed("ApiVersions answered correlation id " + gotCorrelation + ", expected " + correlation,
                        Probes.since(start));
            }
            if (error != 0) {
                return HealthResult.failed("ApiVersions error code " + error, Probes.since(start));
            }
            if (count <= 0 || count > 1000 || size != 4 + 2 + 4 + count * 6) {
                return HealthResult.failed("malformed ApiVersions response (" + count + " APIs in " + size + " bytes)", Probes.since(start));
            }
            return HealthResult.ok("ApiVersions: " + count + " APIs", Probes.since(start));
        } catch (IOException e) {
            return HealthResult.failed(Probes.describe(e, host, port), Probes.since(start));
        }
    }
}
