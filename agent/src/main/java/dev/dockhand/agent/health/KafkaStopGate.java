package dev.dockhand.agent.health;

import dev.dockhand.agent.health.KafkaWire.Metadata;
import dev.dockhand.agent.health.KafkaWire.Partition;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A broker may stop when no partition it hosts would be left below its {@code min.insync.replicas}
 * by its going: asked of the broker itself (Metadata v5 for the replicas and ISRs, DescribeConfigs v1 for
 * each topic's {@code min.insync.replicas} as the broker resolves it). A partition of the broker holds
 * the stop when
 * <ul>
 *   <li>the broker is in its ISR and the ISR is no larger than {@code min.insync.replicas}: without it,
 *       producers with {@code acks=all} get {@code NotEnoughReplicas} (or, if it was the last, the
 *       partition goes offline); or
 *   <li>its ISR is already below {@code min.insync.replicas}: this broker, which has a replica, may be
 *       the next to catch up;
 * </ul>
 * except when the partition has no more replicas than {@code min.insync.replicas}: then any one broker
 * down takes it below, and waiting would never help. The rule is the one Strimzi's operator applies
 * before it rolls a broker.
 */
final class KafkaStopGate implements StopGate {
    /** Partitions named in a detail, at most. */
    private static final int NAMED = 5;

    private final String host;
    private final int port;
    private final int brokerId;
    private final ProbeTls tls;

    /** @param tls how to reach a secured broker's internal (mutual-TLS) listener, or null */
    KafkaStopGate(String host, int port, int brokerId, ProbeTls tls) {
        this.host = host;
        this.port = port;
        this.brokerId = brokerId;
        this.tls = tls;
    }

    @Override
    public HealthResult ask(Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        try (Socket s = Probes.connect(host, port, deadline, tls)) {
            InputStream in = DeadlineInput.of(s, deadline);
            Metadata m = KafkaWire.metadata(s, in);
            Set<String> topics = new LinkedHashSet<>();
            for (Partition p : m.partitions()) {
                if (p.replicas().contains(brokerId)) {
                    topics.add(p.topic());
                }
            }
            if (topics.isEmpty()) {
                return HealthResult.ok("broker " + brokerId + " hosts no partition", Probes.since(start));
            }
            Map<String, Integer> minInsync = KafkaWire.minInsyncReplicas(s, in, List.copyOf(topics));
            return verdict(m, minInsync, brokerId, Probes.since(start));
        } catch (KafkaWire.NotKafka e) {
            return HealthResult.failed("cannot tell whether the stop is safe: " + e.getMessage(), Probes.since(start));
        } catch (IOException e) {
            return HealthResult.failed("cannot tell whether the stop is safe: " + Probes.describe(e, host, port), Probes.since(start));
        }
    }

    /** The rule of the class comment over one Metadata answer and the topics' {@code min.insync.replicas}. */
    static HealthResult verdict(Metadata m, Map<String, Integer> minInsync, int brokerId, long latencyMs) {
        int hosted = 0;
        List<String> holding = new ArrayList<>();
        Set<String> unknown = new LinkedHashSet<>();
        for (Partition p : m.partitions()) {
            if (!p.replicas().contains(brokerId)) {
                continue;
            }
            hosted++;
            Integer min = minInsync.get(p.topic());
            if (min == null) {
                unknown.add(p.topic());
                continue;
            }
            if (p.replicas().size() <= min) {
                continue; // every broker's stop takes it below: nothing to wait for
            }
            boolean inIsr = p.isr().contains(brokerId);
            if (inIsr && p.isr().size() <= min) {
                holding.add(p.topic() + "-" + p.partition() + " (ISR " + ids(p.isr()) + ", min.insync.replicas " + min + ")");
            } else if (!inIsr && p.isr().size() < min) {
                holding.add(p.topic() + "-" + p.partition() + " (already below: ISR " + ids(p.isr()) + ", min.insync.replicas " + min
                        + "; this broker may be the next to catch up)");
            }
        }
        if (!holding.isEmpty()) {
            return HealthResult.notReady("not safe: without broker " + brokerId + ", " + holding.size() + " of " + hosted
                    + " partitions would be below min.insync.replicas: " + named(holding), latencyMs);
        }
        if (!unknown.isEmpty()) {
            return HealthResult.notReady("cannot tell whether the stop is safe: no min.insync.replicas for " + named(List.copyOf(unknown)),
                    latencyMs);
        }
        return HealthResult.ok("safe: all " + hosted + " partitions of broker " + brokerId + " keep min.insync.replicas without it",
                latencyMs);
    }

    private static String ids(List<Integer> isr) {
        StringBuilder b = new StringBuilder();
        for (int id : isr) {
            b.append(b.length() == 0 ? "" : ",").append(id);
        }
        return b.length() == 0 ? "empty" : b.toString();
    }

    private static String named(List<String> all) {
        return String.join(", ", all.subList(0, Math.min(NAMED, all.size()))) + (all.size() > NAMED ? ", ..." : "");
    }
}
