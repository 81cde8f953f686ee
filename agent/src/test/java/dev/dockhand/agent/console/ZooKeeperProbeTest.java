package dev.dockhand.agent.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.console.ConsoleConfig.HostPort;
import dev.dockhand.agent.console.Overview.ZooKeeperMember;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ZooKeeperProbeTest {
    static final String SRVR = """
            Zookeeper version: 3.8.4-9316c2a7a97e1666d8f4593f34dd6fc36ecc436c, built on 2024-02-12 22:16 UTC
            Latency min/avg/max: 0/0.0/0
            Received: 3
            Sent: 2
            Connections: 1
            Outstanding: 0
            Zxid: 0x0
            Mode: follower
            Node count: 5
            """;

    @Test
    void parsesModeAndVersion() {
        ZooKeeperMember m = ZooKeeperProbe.parse("zk1:2181", SRVR, 3);
        assertTrue(m.up());
        assertEquals("follower", m.mode());
        assertEquals("ZooKeeper 3.8.4", m.detail());
    }

    @Test
    void memberWithoutQuorumOrWhitelistIsDownWithItsReason() {
        ZooKeeperMember m = ZooKeeperProbe.parse("zk1:2181", "This ZooKeeper instance is not currently serving requests\n", 1);
        assertFalse(m.up());
        assertEquals("down: This ZooKeeper instance is not currently serving requests", m.detail());
        assertTrue(ZooKeeperProbe.parse("zk1:2181", "", 1).detail().contains("4lw.commands.whitelist"));
    }

    @Test
    void asksSrvrOverTheSocket() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (Socket s = server.accept()) {
                    byte[] cmd = s.getInputStream().readNBytes(4);
                    if (new String(cmd, StandardCharsets.US_ASCII).equals("srvr")) {
                        s.getOutputStream().write(SRVR.replace("follower", "leader").getBytes(StandardCharsets.US_ASCII));
                    }
                } catch (Exception e) {
                    // the assertion below fails then
                }
            });
            t.start();
            ZooKeeperMember m = new ZooKeeperProbe().probe(new HostPort("127.0.0.1", server.getLocalPort()),
                    Deadline.in(Duration.ofSeconds(2)));
            t.join(2000);
            assertEquals("leader", m.mode());
        }
    }

    @Test
    void closedPortIsDown() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ZooKeeperMember m = new ZooKeeperProbe().probe(new HostPort("127.0.0.1", port), Deadline.in(Duration.ofSeconds(1)));
        assertEquals("down", m.mode());
        assertEquals("down: connection refused", m.detail());
    }
}
