package dev.dockhand.agent.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The ZooKeeper client's three requests, against a server that speaks ZooKeeper's framing on loopback
 * and answers {@code exists} as scripted. (A real ZooKeeper answers it in ProductionClusterIT.)
 */
class ZooKeeperNodesTest {

    /** What the fake server saw: the requests' types in order, and the path asked for. */
    record Seen(List<Integer> ops, String path) {}

    /** Serves one connection: a session, one exists answered with {@code err} (and a Stat owned by {@code owner}), the close. */
    static CompletableFuture<Seen> serve(ServerSocket server, int err, long owner) {
        return CompletableFuture.supplyAsync(() -> {
            try (Socket s = server.accept()) {
                DataInputStream in = new DataInputStream(s.getInputStream());
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                List<Integer> ops = new ArrayList<>();
                DataInputStream connect = frame(in);
                assertEquals(0, connect.readInt(), "protocol version");
                connect.readLong();
                assertTrue(connect.readInt() > 0, "a session timeout");
                assertEquals(0, connect.readLong(), "a new session");
                write(out, d -> {
                    d.writeInt(0);
                    d.writeInt(4000);
                    d.writeLong(0x1234L);
                    d.writeInt(16);
                    d.write(new byte[16]);
                });
                DataInputStream exists = frame(in);
                int xid = exists.readInt();
                ops.add(exists.readInt());
                byte[] p = new byte[exists.readInt()];
                exists.readFully(p);
                assertFalse(exists.readBoolean(), "no watch");
                write(out, d -> {
                    d.writeInt(xid);
                    d.writeLong(42);
                    d.writeInt(err);
                    if (err == 0) {
                        for (int i = 0; i < 4; i++) {
                            d.writeLong(i);
                        }
                        d.writeInt(0);
                        d.writeInt(0);
                        d.writeInt(0);
                        d.writeLong(owner);
                        d.writeInt(10);
                        d.writeInt(0);
                        d.writeLong(7);
                    }
                });
                DataInputStream close = frame(in);
                int closeXid = close.readInt();
                ops.add(close.readInt());
                write(out, d -> {
                    d.writeInt(closeXid);
                    d.writeLong(43);
                    d.writeInt(0);
                });
                return new Seen(ops, new String(p, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    interface Body {
        void write(DataOutputStream d) throws IOException;
    }

    static void write(DataOutputStream out, Body body) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        body.write(new DataOutputStream(b));
        out.writeInt(b.size());
        out.write(b.toByteArray());
        out.flush();
    }

    static DataInputStream frame(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return new DataInputStream(new java.io.ByteArrayInputStream(b));
    }

    @Test
    void aZnodeHeldByASessionIsNamedWithItsOwnerAndTheSessionIsClosedAfter() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Seen> seen = serve(server, 0, 0x1000a2b3c4d0001L);
            HealthResult r = ZooKeeperNodes.absent("127.0.0.1", server.getLocalPort(), "/brokers/ids/5", Duration.ofSeconds(5), null);
            assertFalse(r.ok());
            assertTrue(r.alive(), "ZooKeeper answered: it is there");
            assertEquals("/brokers/ids/5 held by session 0x1000a2b3c4d0001", r.detail());
            assertEquals(new Seen(List.of(3, -11), "/brokers/ids/5"), seen.get(), "exists, then closeSession");
        }
    }

    @Test
    void noNodeMeansItIsGone() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Seen> seen = serve(server, -101, 0);
            HealthResult r = ZooKeeperNodes.absent("127.0.0.1", server.getLocalPort(), "/brokers/ids/5", Duration.ofSeconds(5), null);
            assertTrue(r.ok(), r.detail());
            assertEquals("/brokers/ids/5 absent", r.detail());
            seen.get();
        }
    }

    @Test
    void aServerThatClosesTheConnectionCannotTell() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> closes = CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept()) {
                    s.getInputStream().read(); // a ZooKeeper that is not serving drops the session request
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            HealthResult r = ZooKeeperNodes.absent("127.0.0.1", server.getLocalPort(), "/brokers/ids/5", Duration.ofSeconds(5), null);
            assertFalse(r.ok());
            assertFalse(r.alive(), "no answer: " + r.detail());
            closes.get();
        }
    }
}
