package dev.dockhand.agent.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.protocol.ControlReply;
import dev.dockhand.agent.protocol.AgentSnapshot;
import dev.dockhand.agent.protocol.ServiceState;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlServerTest {
    @TempDir
    Path tmp;

    @Test
    void createsTheDirectory0700AndTheSocket0600AndRemovesItOnClose() throws IOException {
        Path socket = tmp.resolve("run/agent/agent.sock");
        try (ControlServer server = ControlServer.start(FakeSupervisor.allReady(), socket, null)) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            assertTrue(server.httpAddress().isEmpty());
            try (var files = Files.list(socket.getParent())) {
                assertEquals(1, files.count(), "no temporary socket left beside the real one");
            }
        }
        assertFalse(Files.exists(socket), "socket file removed on close");
    }

    @Test
    void answersStatusAndCommandsThroughTheClient() throws IOException {
        FakeSupervisor fake = FakeSupervisor.mixed();
        Path socket = tmp.resolve("agent.sock");
        try (ControlServer ignored = ControlServer.start(fake, socket, null)) {
            ControlClient client = new ControlClient(socket);
            ControlReply status = client.status();
            assertTrue(status.ok());
            assertEquals(3, status.snapshot().services().size());
            assertEquals(ServiceState.STARTING, status.snapshot().services().get(1).state());
            assertFalse(status.snapshot().ready());

            ControlReply refused = client.stop("zookeeper", false);
            assertFalse(refused.ok());
            assertEquals(ControlReply.REFUSED, refused.error());
            assertEquals("kafka depends on zookeeper", refused.message());

            assertTrue(client.stop("zookeeper", true).ok());
            assertTrue(client.start("zookeeper").ok());
            assertTrue(client.restart("kafka").ok());
            assertTrue(client.reload().ok());
            assertEquals(
                    java.util.List.of("stop zookeeper", "stop zookeeper force", "start zookeeper", "restart kafka", "reload"),
                    fake.calls());

            assertTrue(client.health().ok());
            fake.alive(false);
            assertFalse(client.health().ok());

            ControlReply ready = client.ready();
            assertFalse(ready.ok());
            assertTrue(ready.message().contains("registry FAILED"), ready.message());
        }
    }

    @Test
    void theThreadsThatAnsweredEndWhenIdle() throws Exception {
        Path socket = tmp.resolve("agent.sock");
        try (ControlServer ignored = ControlServer.start(FakeSupervisor.allReady(), socket, null)) {
            assertTrue(new ControlClient(socket).health().ok());
            assertTrue(answeringThreads() > 0, "a worker answered");
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(5_000 + 10_000);
            while (answeringThreads() > 0) {
                assertTrue(System.nanoTime() < deadline, "worker threads still there after being idle");
                Thread.sleep(100); // the pool's own keep-alive decides; nothing to await
            }
            assertTrue(new ControlClient(socket).health().ok(), "and a later request is answered by new ones");
        }
    }

    /** Live worker threads of control servers (the selector thread excluded). */
    static long answeringThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("control-") && !t.getName().equals("control-io"))
                .count();
    }

    @Test
    void speaksPlainJsonLinesToAnyClient() throws IOException {
        Path socket = tmp.resolve("agent.sock");
        try (ControlServer ignored = ControlServer.start(FakeSupervisor.allReady(), socket, null)) {
            String reply = raw(socket, "{\"op\":\"stop\",\"service\":\"zookeeper\",\"force\":false}\n");
            assertEquals("{\"ok\":false,\"error\":\"refused\",\"message\":\"kafka depends on zookeeper\"}\n", reply);
            assertTrue(raw(socket, "{\"op\":\"status\"}\n").startsWith("{\"ok\":true,\"message\":\"ready\",\"snapshot\":{\"role\":\"broker\""));
            assertTrue(raw(socket, "not json\n").contains("\"error\":\"bad-request\""));
            assertTrue(raw(socket, "{\"op\":\"dance\"}\n").contains("unknown op \\\"dance\\\""));
            assertTrue(raw(socket, "{\"op\":\"stop\"}\n").contains("\\\"stop\\\" needs \\\"service\\\""));
        }
    }

    @Test
    void refusesAPeerThePolicyRefuses() throws IOException {
        Path socket = tmp.resolve("agent.sock");
        FakeSupervisor fake = FakeSupervisor.allReady();
        try (ControlServer ignored = ControlServer.start(fake, socket, null,
                peer -> "permission denied: the agent runs as uid 4242; run this as that user or root")) {
            ControlException e = assertThrows(ControlException.class, () -> new ControlClient(socket).stop("kafka", true));
            assertEquals(ControlException.Kind.PERMISSION_DENIED, e.kind());
            assertEquals("permission denied: the agent runs as uid 4242; run this as that user or root", e.getMessage());
            assertTrue(fake.calls().isEmpty(), "a refused peer changes nothing");
        }
    }

    @Test
    void theDefaultPolicyAcceptsTheAgentsOwnUser() throws IOException {
        Path socket = tmp.resolve("agent.sock");
        try (ControlServer ignored = ControlServer.start(FakeSupervisor.allReady(), socket, null)) {
            assertTrue(new ControlClient(socket).health().ok());
        }
    }

    @Test
    void noSocketAndNoListenerMeanNoAgent() throws IOException {
        Path socket = tmp.resolve("agent.sock");
        ControlException missing = assertThrows(ControlException.class, () -> new ControlClient(socket).status());
        assertEquals(ControlException.Kind.NO_AGENT, missing.kind());
        assertEquals("no agent is running (no socket at " + socket + ")", missing.getMessage());

        ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        dead.bind(UnixDomainSocketAddress.of(socket));
        dead.close(); // the file stays, as after an agent killed with SIGKILL
        assertTrue(Files.exists(socket));
        ControlException refused = assertThrows(ControlException.class, () -> new ControlClient(socket).status());
        assertEquals(ControlException.Kind.NO_AGENT, refused.kind());
        assertEquals("no agent is running (nobody listens on " + socket + ")", refused.getMessage());

        // and a new agent replaces that stale file
        try (ControlServer ignored = ControlServer.start(FakeSupervisor.allReady(), socket, null)) {
            assertTrue(new ControlClient(socket).status().ok());
        }
    }

    @Test
    void aSecondAgentOnTheSameSocketOrARegularFileThereIsRefused() throws IOException {
        Path socket = tmp.resolve("agent.sock");
        try (ControlServer ignored = ControlServer.start(FakeSupervisor.allReady(), socket, null)) {
            IOException e = assertThrows(IOException.class, () -> ControlServer.start(FakeSupervisor.allReady(), socket, null));
            assertTrue(e.getMessage().startsWith("another agent is already serving " + socket), e.getMessage());
            assertTrue(new ControlClient(socket).status().ok(), "the first agent still serves");
        }
        Path file = tmp.resolve("notasocket");
        Files.writeString(file, "keep me");
        IOException e = assertThrows(IOException.class, () -> ControlServer.start(FakeSupervisor.allReady(), file, null));
        assertTrue(e.getMessage().contains("exists and is not a socket"), e.getMessage());
        assertEquals("keep me", Files.readString(file));
    }

    @Test
    void snapshotsLeaveTheAgentRedacted() throws IOException {
        FakeSupervisor fake = FakeSupervisor.allReady();
        fake.set("kafka", ServiceState.UNHEALTHY, "exited: java -Djavax.net.ssl.keyStorePassword=hunter2 kafka.Kafka",
                new AgentSnapshot.ProbeSnapshot(false, "sasl.jaas.config=PlainLoginModule required password=\"hunter2\";", 5, 1));
        Path socket = tmp.resolve("agent.sock");
        try (ControlServer ignored = ControlServer.start(fake, socket, null)) {
            String reply = raw(socket, "{\"op\":\"status\"}\n");
            assertFalse(reply.contains("hunter2"), reply);
            assertTrue(reply.contains("keyStorePassword=****"), reply);
        }
    }

    @Test
    void aHungOrSilentAgentIsAProtocolErrorNotAHang() throws IOException {
        Path socket = tmp.resolve("hung.sock");
        try (ServerSocketChannel hung = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            hung.bind(UnixDomainSocketAddress.of(socket)); // listens, never accepts: the kernel queues us
            long t0 = System.nanoTime();
            ControlException e = assertThrows(ControlException.class, () -> new ControlClient(socket, 300).health());
            assertEquals(ControlException.Kind.PROTOCOL, e.kind());
            assertEquals("the agent at " + socket + " did not answer within 300 ms", e.getMessage());
            assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "gave up in time");

        }
        Path silentSocket = tmp.resolve("silent.sock");
        try (ServerSocketChannel silent = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            silent.bind(UnixDomainSocketAddress.of(silentSocket));
            Thread closer = new Thread(() -> {
                try (SocketChannel c = silent.accept()) {
                    assertNotNull(c); // accept and close without a word
                } catch (IOException ignored) {
                    // the client's assertion below fails then
                }
            });
            closer.start();
            ControlException e = assertThrows(ControlException.class, () -> new ControlClient(silentSocket, 5_000).health());
            assertEquals("the agent at " + silentSocket + " closed the connection without an answer (busy or shutting down)",
                    e.getMessage());
            try {
                closer.join(5_000);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void twoHundredIdleConnectionsDoNotLockOutAgentStatus() throws Exception {
        Path socket = tmp.resolve("agent.sock");
        java.util.List<SocketChannel> idle = new java.util.ArrayList<>();
        try (ControlServer server = ControlServer.start(FakeSupervisor.allReady(), socket, null)) {
            for (int i = 0; i < 200; i++) {
                SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket));
                if (i % 2 == 1) {
                    c.write(ByteBuffer.wrap("{\"op\":".getBytes(StandardCharsets.UTF_8))); // half a request
                }
                idle.add(c);
            }
            for (int i = 0; i < 10; i++) {
                assertTrue(new ControlClient(socket).status().ok(), "status answers with 200 idle clients connected");
            }
            assertTrue(server.openConnections() <= dev.dockhand.agent.net.RequestServer.MAX_CONNECTIONS,
                    "open: " + server.openConnections());
        } finally {
            for (SocketChannel c : idle) {
                c.close();
            }
        }
    }

    static String raw(Path socket, String request) throws IOException {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            c.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)));
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            while (c.read(buf) >= 0) {
                assertNotNull(buf);
            }
            return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        }
    }
}
