package dev.dockhand.agent.health;

import dev.dockhand.agent.health.KafkaWire.Metadata;
import dev.dockhand.agent.health.KafkaWire.Partition;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Alive when the broker answers an ApiVersions request (API key 18, version 0) with error code 0: an
 * open port alone does not mean a broker that serves requests. With {@code inSyncAs} (a broker id),
 * ready only when Metadata says that broker is registered and in the ISR of every partition it
 * hosts; a partition whose leader is not live is left out, since there is nothing to catch up with
 * there. Written against the protocol ({@link KafkaWire}), not kafka-clients.
 */
final class KafkaCheck implements HealthCheck {
    /** Partitions named in a "catching up" detail, at most. */
    private static final int NAMED = 5;

    private final int inSyncAs;
    private final ProbeTls tls;

    /** @param inSyncAs the broker id whose catch-up makes the broker ready, or -1 for ApiVersions alone */
    KafkaCheck(int inSyncAs) {
        this(inSyncAs, null);
    }

    /** @param tls how to reach a mutual-TLS listener with the node's certificate (ApiVersions and Metadata ask no ACL), or null */
    KafkaCheck(int inSyncAs, ProbeTls tls) {
        this.inSyncAs = inSyncAs;
        this.tls = tls;
    }

    @Override
    public HealthResult check(String host, int port, Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        try (Socket s = Probes.connect(host, port, deadline, tls)) {
            InputStream in = DeadlineInput.of(s, deadline);
            DataInputStream r = KafkaWire.call(s, in, KafkaWire.API_VERSIONS, (short) 0, new byte[0]);
            short error = r.readShort();
            int count = r.readInt();
            if (error != 0) {
                return HealthResult.failed("ApiVersions error code " + error, Probes.since(start));
            }
            int rest = r.available(); // the whole response is in memory: exactly what is left of it
            if (count <= 0 || count > 1000 || rest != count * 6) {
                return HealthResult.failed("malformed ApiVersions response (" + count + " APIs in " + (4 + 2 + 4 + rest) + " bytes)",
                        Probes.since(start));
            }
            String alive = "ApiVersions: " + count + " APIs";
            if (inSyncAs < 0) {
                return HealthResult.ok(alive, Probes.since(start));
            }
            return inSync(KafkaWire.metadata(s, in), alive, start);
        } catch (KafkaWire.NotKafka e) {
            return HealthResult.failed(e.getMessage(), Probes.since(start));
        } catch (IOException e) {
            return HealthResult.failed(Probes.describe(e, host, port), Probes.since(start));
        }
    }

    private HealthResult inSync(Metadata m, String alive, long start) {
        if (!m.brokers().contains(inSyncAs)) {
            return HealthResult.notReady(alive + "; broker " + inSyncAs + " not registered yet", Probes.since(start));
        }
        int hosted = 0;
        List<String> behind = new ArrayList<>();
        for (Partition p : m.partitions()) {
            if (!p.replicas().contains(inSyncAs)) {
                continue;
            }
            hosted++;
            boolean leaderLive = p.leader() >= 0 && m.brokers().contains(p.leader());
            if (leaderLive && !p.isr().contains(inSyncAs)) {
                behind.add(p.topic() + "-" + p.partition());
            }
        }
        if (!behind.isEmpty()) {
            String named = String.join(", ", behind.subList(0, Math.min(NAMED, behind.size()))) + (behind.size() > NAMED ? ", ..." : "");
            return HealthResult.notReady("catching up: not in the ISR of " + behind.size() + " of " + hosted + " partitions (" + named + ")",
                    Probes.since(start));
        }
        return HealthResult.ok("in sync: in the ISR of all " + hosted + " partitions it hosts", Probes.since(start));
    }
}
