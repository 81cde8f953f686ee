package dev.dockhand.it.cluster;

import dev.dockhand.it.lab.Need;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.dockhand.it.lab.Cmd;
import dev.dockhand.it.lab.LabNet;
import dev.dockhand.it.lab.LabNode;
import dev.dockhand.it.lab.Procs;
import dev.dockhand.it.lab.Timing;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The netns harness itself, with the agent in single-command mode ({@code agent run -- sleep 1000}):
 * each node is PID 1 of its own PID namespace in its own network namespace, every node's FQDN resolves
 * inside every namespace and from the test JVM, nodes reach each other across the bridge, and closing the
 * harness leaves no namespace, link, /etc/netns dir, firewall rule or process behind.
 */
class NetnsHarnessIT {
    static final List<String> NAMES = List.of("hx-1", "hx-2", "hx-3");
    static LabNet net;
    static final List<LabNode> nodes = new ArrayList<>();

    @BeforeAll
    static void up() {
        String why = LabNet.unsupportedReason();
        Need.that(why == null, () -> "netns harness: " + why);
        Path agentJar = Path.of(System.getProperty("agent.jar", "../agent/target/agent.jar")).toAbsolutePath();
        Need.that(Files.isRegularFile(agentJar), () -> "build the agent first (mvn -B -q package -DskipTests): no " + agentJar);
        net = LabNet.create(NAMES, Path.of(System.getProperty("jdk.net.hosts.file", "target/it-hosts")));
        Path base = Path.of("target/netns-harness").toAbsolutePath();
        for (String n : NAMES) {
            nodes.add(new LabNode(net, n, base.resolve(n), agentJar, Map.of()).start("--", "sleep", "1000"));
        }
    }

    @AfterAll
    static void down() {
        List<Long> strays = new ArrayList<>();
        try {
            for (LabNode n : nodes) {
                n.stop(Duration.ofSeconds(10));
            }
            if (net != null) {
                for (String n : NAMES) {
                    strays.addAll(net.pidsIn(n));
                }
            }
            for (LabNode n : nodes) {
                strays.addAll(n.survivors());
            }
        } finally {
            if (net != null) {
                net.close();
            }
        }
        assertEquals(List.of(), strays, "processes of the harness still alive after stop");
        assertEquals(List.of(), LabNet.remains(), "the harness left these behind");
    }

    /**
     * The scenarios, in this order, on the one cluster this class starts: each begins where the previous one
     * left it (a sequence, not independent tests; a failed step does not stop the next).
     */
    @TestFactory
    Stream<DynamicTest> scenarios() {
        return Stream.of(
                dynamicTest("1 every agent is pid1 of its own namespaces", this::everyAgentIsPid1OfItsOwnNamespaces),
                dynamicTest("2 every fqdn resolves inside every node and from the test jvm", this::everyFqdnResolvesInsideEveryNodeAndFromTheTestJvm),
                dynamicTest("3 nodes reach each other and the test jvm reaches them", this::nodesReachEachOtherAndTheTestJvmReachesThem),
                dynamicTest("4 sigterm to the agent ends its command and the node", this::sigtermToTheAgentEndsItsCommandAndTheNode));
    }

    void everyAgentIsPid1OfItsOwnNamespaces() throws Exception {
        String hostNet = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        for (LabNode n : nodes) {
            assertEquals(1, n.pidInNamespace(), n + " NSpid " + Procs.status(n.agentPid(), "NSpid"));
            String nodeNet = Files.readSymbolicLink(Path.of("/proc", Long.toString(n.agentPid()), "ns", "net")).toString();
            assertTrue(!nodeNet.equals(hostNet), n + " runs in the host's network namespace");
            long sleep = Timing.awaitValue("sleep 1000 under " + n, Duration.ofSeconds(20), Duration.ofMillis(50),
                    () -> n.serviceProcess("sleep 1000").stream().boxed().findFirst().orElse(null), () -> n.tail(20));
            String nspid = Procs.status(sleep, "NSpid").orElseThrow();
            String[] f = nspid.split("\\s+");
            assertTrue(f.length == 2 && Long.parseLong(f[1]) > 1, "the command runs in the node's PID namespace, not as its PID 1: NSpid " + nspid);
        }
    }
    void everyFqdnResolvesInsideEveryNodeAndFromTheTestJvm() throws Exception {
        for (String inside : NAMES) {
            assertEquals(LabNet.fqdn(inside), Cmd.run(Duration.ofSeconds(10), net.exec(inside, "cat", "/etc/hostname")).check().out().strip());
            for (String other : NAMES) {
                String out = Cmd.run(Duration.ofSeconds(10), net.exec(inside, "getent", "hosts", LabNet.fqdn(other))).check().out();
                assertTrue(out.startsWith(net.ip(other) + " "), "in " + inside + ": getent hosts " + LabNet.fqdn(other) + " = " + out);
            }
            assertEquals(net.ip(inside), InetAddress.getByName(LabNet.fqdn(inside)).getHostAddress(), "test JVM lookup");
        }
    }

    /**
     * A connection to a closed port is refused (an RST came back) when the packet got there, and times out
     * when the bridge or the firewall drops it: refused = reachable.
     */
    void nodesReachEachOtherAndTheTestJvmReachesThem() throws Exception {
        for (String from : NAMES) {
            for (String to : NAMES) {
                Cmd.Result r = Cmd.run(Duration.ofSeconds(15), net.exec(from, "timeout", "5", "bash", "-c",
                        "exec 3<>/dev/tcp/" + LabNet.fqdn(to) + "/9"));
                assertTrue(r.out().contains("Connection refused"), from + " -> " + to + ": " + r);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(LabNet.fqdn(from), 9), 5000);
                throw new AssertionError("port 9 open on " + from);
            } catch (ConnectException refused) {
                assertTrue(refused.getMessage().contains("refused"), refused.getMessage());
            }
        }
    }
    void sigtermToTheAgentEndsItsCommandAndTheNode() {
        LabNode n = nodes.get(0);
        n.signalAgent("TERM");
        int exit = n.awaitExit(Duration.ofSeconds(20));
        assertEquals(143, exit, "agent run -- sleep: SIGTERM forwarded, sleep died by it: " + n.tail(10));
        assertEquals(List.of(), net.pidsIn(n.name()), "nothing left in " + n.name());
    }
}
