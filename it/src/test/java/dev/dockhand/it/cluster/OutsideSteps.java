package dev.dockhand.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.it.lab.Cmd;
import dev.dockhand.it.lab.Kafka;
import dev.dockhand.it.lab.LabCluster;
import dev.dockhand.it.lab.LabNet;
import dev.dockhand.it.lab.LabNode;
import dev.dockhand.it.lab.LabTls;
import dev.dockhand.it.lab.Need;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * A cluster seen from outside its network, and placed in racks: what an orchestrator declares once
 * ({@code AGENT_EXTERNAL_HOST}, {@code AGENT_EXTERNAL_PORT}, and each node's {@code AGENT_RACK}), and the
 * steps that show it, each self-contained, for a cluster IT's sequence.
 */
final class OutsideSteps {
    /** The outside name of a broker: its short name in a domain only the outside client resolves. */
    static final String OUTSIDE_DOMAIN = "outside.test";
    static final String HOST_PATTERN = "{host}." + OUTSIDE_DOMAIN;
    static final String PORT_PATTERN = "19092+id";
    /** The client's namespace: not a node; on the nodes' bridge, after the nodes' addresses. */
    static final String CLIENT = "out-1";
    static final String CLIENT_IP = LabNet.SUBNET + "200";

    private OutsideSteps() {}

    /**
     * {@code specs} with the outside address declared on every node (as a compose file's shared env would),
     * and the brokers in two racks, alternating: {@code zone-a}, {@code zone-b}, {@code zone-a}, ...
     */
    static List<LabCluster.NodeSpec> declared(List<LabCluster.NodeSpec> specs) {
        List<LabCluster.NodeSpec> out = new ArrayList<>();
        int broker = 0;
        for (LabCluster.NodeSpec s : specs) {
            Map<String, String> env = new HashMap<>(s.env());
            env.put("AGENT_EXTERNAL_HOST", HOST_PATTERN);
            env.put("AGENT_EXTERNAL_PORT", PORT_PATTERN);
            if (s.role().equals("broker")) {
                env.put("AGENT_RACK", broker++ % 2 == 0 ? "zone-a" : "zone-b");
            }
            out.add(new LabCluster.NodeSpec(s.name(), s.role(), s.memoryMb(), env));
        }
        return out;
    }

    /**
     * Every broker reports the rack it was given, and a topic with two replicas per partition has them in
     * both racks, every partition.
     */
    static void aTwoRackClusterPlacesReplicasAcrossRacks(LabCluster cluster, Kafka kafka) throws Exception {
        DescribeClusterResult dc = kafka.admin().describeCluster();
        Map<Integer, String> racks = new HashMap<>();
        for (Node n : dc.nodes().get(30, java.util.concurrent.TimeUnit.SECONDS)) {
            racks.put(n.id(), n.rack());
        }
        assertEquals(Set.of("zone-a", "zone-b"), Set.copyOf(racks.values()), "each broker's rack as given: " + racks);
        kafka.createTopic("racked", 6, 2, 1);
        List<TopicPartitionInfo> partitions = kafka.describe("racked").partitions();
        assertEquals(6, partitions.size());
        for (TopicPartitionInfo p : partitions) {
            Set<String> used = p.replicas().stream().map(r -> racks.get(r.id())).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(Set.of("zone-a", "zone-b"), used, "partition " + p.partition() + " has a replica in each rack: " + p.replicas());
        }
    }

    /**
     * kcat in a namespace of its own, which resolves only the brokers' outside names and whose firewall lets
     * through only their outside ports: it produces (acks=all) and consumes over SASL_SSL with the host name
     * verified against each broker's certificate; without a login, with a wrong password, or under a name
     * the certificate does not hold, it is refused, each next to the same request answered.
     */
    static void aClientOutsideTheNetworkProducesAndConsumesThroughTheOutsideAddresses(LabCluster cluster, LabTls tls) throws Exception {
        Need.tool("kcat", "kcat");
        Need.tool("iptables", "iptables");
        List<LabNode> brokers = cluster.withRole("broker");
        StringBuilder hosts = new StringBuilder("127.0.0.1 localhost\n");
        List<String> bootstrap = new ArrayList<>();
        for (int i = 0; i < brokers.size(); i++) {
            LabNode b = brokers.get(i);
            // the production layout: three ZooKeeper nodes first, so the brokers are nodes 4, 5, 6
            int port = 19092 + 4 + i;
            hosts.append(b.ip()).append(' ').append(b.name()).append('.').append(OUTSIDE_DOMAIN).append('\n');
            bootstrap.add(b.name() + "." + OUTSIDE_DOMAIN + ":" + port);
        }
        // a name that reaches b-1 but that no certificate holds
        hosts.append(brokers.get(0).ip()).append(" stranger.").append(OUTSIDE_DOMAIN).append('\n');
        String ns = LabNet.netns(CLIENT);
        Path etc = Path.of("/etc/netns").resolve(ns);
        try {
            ip("netns", "add", ns).check();
            ip("link", "add", "dhv-" + CLIENT, "type", "veth", "peer", "name", "dhp-" + CLIENT).check();
            ip("link", "set", "dhv-" + CLIENT, "master", LabNet.BRIDGE).check();
            ip("link", "set", "dhv-" + CLIENT, "up").check();
            ip("link", "set", "dhp-" + CLIENT, "netns", ns).check();
            ip("-n", ns, "addr", "add", CLIENT_IP + "/24", "dev", "dhp-" + CLIENT).check();
            ip("-n", ns, "link", "set", "dhp-" + CLIENT, "up").check();
            ip("-n", ns, "link", "set", "lo", "up").check();
            Files.createDirectories(etc);
            Files.writeString(etc.resolve("hosts"), hosts.toString());
            // the nodes' own listeners (9092 CLIENT, 9091 INTERNAL, ...) are out of this client's reach
            inClient(List.of("iptables", "-A", "OUTPUT", "-d", LabNet.SUBNET + "0/24", "-p", "tcp", "-m", "multiport", "--dports",
                    "19096:19098", "-j", "ACCEPT")).check();
            inClient(List.of("iptables", "-A", "OUTPUT", "-d", LabNet.SUBNET + "0/24", "-p", "tcp", "-j", "REJECT",
                    "--reject-with", "tcp-reset")).check();
            Cmd.Result internal = inClient(List.of("kcat", "-b", brokers.get(0).ip() + ":9092", "-m", "10", "-L"));
            assertNotEquals(0, internal.exit(), "the internal listener is out of reach: " + internal.out());

            Path lines = tls.caCert().resolveSibling("outside-lines");
            Files.writeString(lines, "outside-1\noutside-2\noutside-3\n");
            String servers = String.join(",", bootstrap);
            Cmd.Result produced = kcat(servers, login(tls, LabTls.APP_USER, LabTls.APP_PASSWORD),
                    "-X", "acks=all", "-P", "-t", "outside-topic", "-l", lines.toString());
            assertEquals(0, produced.exit(), produced.out());
            Cmd.Result consumed = kcat(servers, login(tls, LabTls.APP_USER, LabTls.APP_PASSWORD),
                    "-C", "-t", "outside-topic", "-o", "beginning", "-e", "-q");
            assertEquals(0, consumed.exit(), consumed.out());
            assertEquals(List.of("outside-1", "outside-2", "outside-3"),
                    consumed.out().lines().filter(l -> l.startsWith("outside-")).sorted().toList());
            Cmd.Result listed = kcat(servers, login(tls, LabTls.APP_USER, LabTls.APP_PASSWORD), "-L");
            assertEquals(0, listed.exit(), listed.out());
            for (String b : bootstrap) {
                assertTrue(listed.out().contains(b), "the brokers advertise their outside addresses: " + listed.out());
            }

            // TLS without a login: the broker hangs up on the first request
            Cmd.Result noLogin = kcat(servers, List.of("-X", "security.protocol=SSL", "-X", "ssl.ca.location=" + tls.caCert(),
                    "-X", "ssl.endpoint.identification.algorithm=https"), "-L");
            assertNotEquals(0, noLogin.exit(), "no login, no metadata: " + noLogin.out());
            assertTrue(noLogin.out().contains("Disconnected") || noLogin.out().contains("Connection reset"),
                    "the broker hung up on a client that did not log in: " + noLogin.out());
            Cmd.Result wrong = kcat(servers, login(tls, LabTls.APP_USER, "not-the-password"), "-L");
            assertNotEquals(0, wrong.exit(), wrong.out());
            assertTrue(wrong.out().contains("Authentication failed"), wrong.out());
            // the right login under a name b-1's certificate does not hold: the handshake fails on the name
            Cmd.Result stranger = kcat("stranger." + OUTSIDE_DOMAIN + ":19096", login(tls, LabTls.APP_USER, LabTls.APP_PASSWORD), "-L");
            assertNotEquals(0, stranger.exit(), stranger.out());
            assertTrue(stranger.out().contains("certificate verify failed") || stranger.out().contains("SSL handshake failed"),
                    "host name verification is on: " + stranger.out());
        } finally {
            ip("netns", "delete", ns);
            ip("link", "delete", "dhv-" + CLIENT);
            if (Files.isDirectory(etc)) {
                Files.deleteIfExists(etc.resolve("hosts"));
                Files.deleteIfExists(etc);
            }
        }
    }

    static List<String> login(LabTls tls, String user, String password) {
        return List.of("-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanisms=SCRAM-SHA-512", "-X", "sasl.username=" + user,
                "-X", "sasl.password=" + password, "-X", "ssl.ca.location=" + tls.caCert(), "-X", "ssl.endpoint.identification.algorithm=https");
    }

    static Cmd.Result kcat(String bootstrap, List<String> security, String... args) {
        List<String> argv = new ArrayList<>(List.of("kcat", "-b", bootstrap, "-m", "15"));
        argv.addAll(security);
        argv.addAll(List.of(args));
        return inClient(argv);
    }

    static Cmd.Result inClient(List<String> argv) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", LabNet.netns(CLIENT)));
        all.addAll(argv);
        return Cmd.run(Duration.ofSeconds(60), all);
    }

    static Cmd.Result ip(String... args) {
        List<String> argv = new ArrayList<>(List.of("ip"));
        argv.addAll(List.of(args));
        return Cmd.run(Duration.ofSeconds(20), argv);
    }
}
