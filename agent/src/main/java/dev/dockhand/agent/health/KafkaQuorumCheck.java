package dev.dockhand.agent.health;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A KRaft controller's readiness, asked over Kafka's protocol (DescribeQuorum, {@link KafkaWire}), not
 * through kafka-clients. Only the quorum's leader describes the quorum; another controller answers
 * NOT_LEADER_OR_FOLLOWER, which proves it alive, and the leader is then looked for among the quorum's
 * controllers.
 *
 * <p>Ready when the quorum has a leader and this node ({@code nodeId}) is the leader, or is one of its
 * voters that fetched from it and was caught up with it within {@link #FRESH} (the leader's own clock).
 * For a combined node ({@code brokerPort} set) the broker there must also be registered, unfenced and in
 * sync ({@link KafkaCheck}). Without a node id (another node's controller that this node waits for),
 * ready when the controller asked is the leader: the quorum has elected one.
 */
final class KafkaQuorumCheck implements HealthCheck {
    /** How recent a follower's last fetch and catch-up must be, on the leader's clock, to count as following. */
    static final Duration FRESH = Duration.ofSeconds(10);

    private final int nodeId;
    private final List<String> controllers;
    private final int brokerPort;
    private final ProbeTls tls;

    /**
     * @param nodeId this node's id, or -1 for another node's controller
     * @param controllers host:port of every controller of the quorum (where the leader is looked for)
     * @param brokerPort this node's broker port for a combined node, 0 for none
     * @param tls how to reach the controllers' mutual-TLS listener (the node's certificate is a super user's) at the
     *     host asked, or null for plaintext; the quorum's other controllers are asked with the same context, each
     *     checked against the name it is reached by
     */
    KafkaQuorumCheck(int nodeId, List<String> controllers, int brokerPort, ProbeTls tls) {
        this.nodeId = nodeId;
        this.controllers = List.copyOf(controllers);
        this.brokerPort = brokerPort;
        this.tls = tls;
    }

    /** A plaintext quorum's check. */
    KafkaQuorumCheck(int nodeId, List<String> controllers, int brokerPort) {
        this(nodeId, controllers, brokerPort, null);
    }

    @Override
    public HealthResult check(String host, int port, Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        KafkaWire.QuorumAnswer own;
        try {
            own = ask(host, port, deadline, tls);
        } catch (KafkaWire.NotKafka e) {
            return HealthResult.failed(e.getMessage(), Probes.since(start));
        } catch (IOException e) {
            return HealthResult.failed(Probes.describe(e, host, port), Probes.since(start));
        }
        if (own.error() != 0 && own.error() != KafkaWire.NOT_LEADER_OR_FOLLOWER) {
            return HealthResult.notReady("DescribeQuorum error code " + own.error(), Probes.since(start));
        }
        if (nodeId < 0) {
            return own.quorum() != null
                    ? HealthResult.ok("leader of the quorum, epoch " + own.quorum().leaderEpoch(), Probes.since(start)).withQuorum(own.quorum())
                    : HealthResult.notReady("a controller, not the quorum's leader", Probes.since(start));
        }
        KafkaQuorumState q = own.quorum();
        List<String> tried = new ArrayList<>();
        for (int i = 0; q == null && i < controllers.size() && System.nanoTime() < deadline; i++) {
            String c = controllers.get(i);
            int colon = c.lastIndexOf(':');
            try {
                KafkaWire.QuorumAnswer a = ask(c.substring(0, colon), Integer.parseInt(c.substring(colon + 1)), deadline,
                        tls == null ? null : new ProbeTls(tls.context(), null));
                q = a.quorum();
            } catch (IOException | RuntimeException e) {
                tried.add(c);
            }
        }
        if (q == null) {
            return HealthResult.notReady("a controller; no leader of the quorum found" + (tried.isEmpty() ? "" : " (no answer from "
                    + String.join(", ", tried) + ")"), Probes.since(start));
        }
        HealthResult quorum = inQuorum(q, start);
        if (!quorum.ok() || brokerPort <= 0) {
            return quorum;
        }
        Duration left = Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
        HealthResult broker = new KafkaCheck(nodeId, tls).check(host, brokerPort, left);
        String detail = quorum.detail() + "; broker: " + broker.detail();
        // a broker not (yet) answering is not ready, but the process is alive: its controller answered
        HealthResult both = broker.ok() ? HealthResult.ok(detail, Probes.since(start)) : HealthResult.notReady(detail, Probes.since(start));
        return both.withQuorum(q);
    }

    private HealthResult inQuorum(KafkaQuorumState q, long start) {
        if (q.leaderId() == nodeId) {
            return HealthResult.ok("leader of the quorum, epoch " + q.leaderEpoch() + ", " + q.voters().size() + " voters",
                    Probes.since(start)).withQuorum(q);
        }
        KafkaQuorumState.Replica me = q.voter(nodeId);
        if (me == null) {
            return HealthResult.notReady("not a voter of the quorum (voters " + q.voters().stream().map(v -> String.valueOf(v.id()))
                    .reduce((a, b) -> a + "," + b).orElse("none") + ", leader " + q.leaderId() + ")", Probes.since(start)).withQuorum(q);
        }
        long fresh = FRESH.toMillis();
        boolean following = me.lastFetchMsAgo() >= 0 && me.lastFetchMsAgo() <= fresh
                && me.lastCaughtUpMsAgo() >= 0 && me.lastCaughtUpMsAgo() <= fresh;
        String how = "voter following leader " + q.leaderId() + " (epoch " + q.leaderEpoch() + "), lag " + me.lag();
        if (!following) {
            return HealthResult.notReady(how + ", last fetch " + ago(me.lastFetchMsAgo()) + ", caught up " + ago(me.lastCaughtUpMsAgo()),
                    Probes.since(start)).withQuorum(q);
        }
        return HealthResult.ok(how, Probes.since(start)).withQuorum(q);
    }

    private static String ago(long ms) {
        return ms < 0 ? "never" : ms + " ms ago";
    }

    private static KafkaWire.QuorumAnswer ask(String host, int port, long deadline, ProbeTls tls) throws IOException {
        try (Socket s = Probes.connect(host, port, deadline, tls)) {
            InputStream in = DeadlineInput.of(s, deadline);
            return KafkaWire.describeQuorum(s, in);
        }
    }
}
