package dev.dockhand.agent.health;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The few requests of the Kafka protocol the agent asks a broker itself, written against the protocol
 * (kafka-clients never loads in PID 1): ApiVersions (is it a broker that serves?), Metadata (which
 * brokers are registered, and who is in sync for every partition) and DescribeConfigs (a topic's
 * {@code min.insync.replicas}). Versions are the oldest ones that Kafka 3.9 and 4.x both still answer
 * (KIP-896), in the non-flexible encoding; every read is bounded by the caller's deadline.
 */
final class KafkaWire {
    static final short API_VERSIONS = 18;
    static final short METADATA = 3;
    static final short DESCRIBE_CONFIGS = 32;
    static final short DESCRIBE_QUORUM = 55;
    /** Error code of a DescribeQuorum asked of a controller that is not the leader. */
    static final short NOT_LEADER_OR_FOLLOWER = 6;
    /** The KRaft metadata log: the one partition a DescribeQuorum asks about. */
    static final String METADATA_TOPIC = "__cluster_metadata";
    private static final String CLIENT_ID = "dockhand-agent";
    private static final int MAX_RESPONSE = 16 << 20;

    private KafkaWire() {}

    /** One partition as Metadata describes it. */
    record Partition(String topic, int partition, int leader, List<Integer> replicas, List<Integer> isr) {}

    /** What Metadata v5 says: the live brokers, the controller and every partition. */
    record Metadata(List<Integer> brokers, int controller, List<Partition> partitions) {}

    /** An answer that is not the Kafka protocol's (a message without host and port: the probe adds nothing). */
    static final class NotKafka extends IOException {
        NotKafka(String message) {
            super(message);
        }
    }

    private static String name(short api) {
        return switch (api) {
            case API_VERSIONS -> "ApiVersions";
            case METADATA -> "Metadata";
            case DESCRIBE_CONFIGS -> "DescribeConfigs";
            case DESCRIBE_QUORUM -> "DescribeQuorum";
            default -> "API " + api;
        };
    }

    /** Sends one request (header v1) and returns the response body after its correlation id. */
    static DataInputStream call(Socket s, InputStream in, short api, short version, byte[] body) throws IOException {
        int correlation = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        DataOutputStream w = new DataOutputStream(req);
        w.writeShort(api);
        w.writeShort(version);
        w.writeInt(correlation);
        string(w, CLIENT_ID);
        w.write(body);
        DataInputStream p = exchange(s, in, api, req);
        int got = p.readInt();
        if (got != correlation) {
            throw new NotKafka(name(api) + " answered correlation id " + got + ", expected " + correlation);
        }
        return p;
    }

    /** What a controller answered to DescribeQuorum: its error code, and the quorum when it is the leader. */
    record QuorumAnswer(short error, KafkaQuorumState quorum) {}

    /**
     * DescribeQuorum v1 (API key 55, flexible encoding: request header v2, response header v1) for the
     * metadata log. Only the quorum's leader describes it; another controller answers
     * {@link #NOT_LEADER_OR_FOLLOWER}. v1 is the oldest with each replica's last fetch and catch-up
     * times, and Kafka 3.9 and 4.x both answer it.
     */
    static QuorumAnswer describeQuorum(Socket s, InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream w = new DataOutputStream(b);
        uvarint(w, 2); // topics: one (compact array: n + 1)
        compactString(w, METADATA_TOPIC);
        uvarint(w, 2); // partitions: one
        w.writeInt(0);
        uvarint(w, 0); // partition's tagged fields
        uvarint(w, 0); // topic's tagged fields
        uvarint(w, 0); // request's tagged fields
        DataInputStream r = callFlexible(s, in, DESCRIBE_QUORUM, (short) 1, b.toByteArray());
        short error = r.readShort();
        KafkaQuorumState quorum = null;
        short partitionError = error;
        for (int t = compactCount(r); t > 0; t--) {
            compactString(r);
            for (int p = compactCount(r); p > 0; p--) {
                r.readInt(); // partition index
                short pe = r.readShort();
                int leader = r.readInt();
                int epoch = r.readInt();
                long hw = r.readLong();
                List<long[]> voters = replicas(r);
                List<long[]> observers = replicas(r);
                skipTags(r);
                if (error == 0) {
                    partitionError = pe;
                    if (pe == 0) {
                        quorum = quorum(leader, epoch, hw, voters, observers);
                    }
                }
            }
            skipTags(r);
        }
        skipTags(r);
        return new QuorumAnswer(partitionError, quorum);
    }

    /** Replica states: id, log end offset, last fetch, last caught up (times on the leader's clock). */
    private static List<long[]> replicas(DataInputStream r) throws IOException {
        List<long[]> out = new ArrayList<>();
        for (int i = compactCount(r); i > 0; i--) {
            long id = r.readInt();
            long leo = r.readLong();
            long fetch = r.readLong();
            long caughtUp = r.readLong();
            skipTags(r);
            out.add(new long[] {id, leo, fetch, caughtUp});
        }
        return out;
    }

    /**
     * The leader reports its own last caught-up time as its clock's now: the other replicas' times are
     * made relative to it, so that no clock of this node enters.
     */
    static KafkaQuorumState quorum(int leader, int epoch, long hw, List<long[]> voters, List<long[]> observers) {
        long leaderEnd = -1;
        long now = -1;
        for (long[] v : voters) {
            if (v[0] == leader) {
                leaderEnd = v[1];
                now = v[3];
            }
        }
        return new KafkaQuorumState(leader, epoch, hw, replicaList(voters, leader, leaderEnd, now),
                replicaList(observers, leader, leaderEnd, now));
    }

    private static List<KafkaQuorumState.Replica> replicaList(List<long[]> raw, int leader, long leaderEnd, long now) {
        List<KafkaQuorumState.Replica> out = new ArrayList<>();
        for (long[] v : raw) {
            boolean self = v[0] == leader;
            long lag = leaderEnd >= 0 && v[1] >= 0 ? Math.max(0, leaderEnd - v[1]) : -1;
            out.add(new KafkaQuorumState.Replica((int) v[0], v[1], lag, self ? -1 : ago(now, v[2]), self ? 0 : ago(now, v[3])));
        }
        return out;
    }

    private static long ago(long now, long at) {
        return now < 0 || at < 0 ? -1 : Math.max(0, now - at);
    }

    /** Sends one request with header v2 (flexible) and returns the response body after header v1. */
    static DataInputStream callFlexible(Socket s, InputStream in, short api, short version, byte[] body) throws IOException {
        int correlation = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        DataOutputStream w = new DataOutputStream(req);
        w.writeShort(api);
        w.writeShort(version);
        w.writeInt(correlation);
        string(w, CLIENT_ID); // the client id stays a plain string in header v2
        uvarint(w, 0); // header's tagged fields
        w.write(body);
        DataInputStream p = exchange(s, in, api, req);
        int got = p.readInt();
        if (got != correlation) {
            throw new NotKafka(name(api) + " answered correlation id " + got + ", expected " + correlation);
        }
        skipTags(p);
        return p;
    }

    /** Writes a request (size first) and reads one whole response into memory. */
    private static DataInputStream exchange(Socket s, InputStream in, short api, ByteArrayOutputStream req) throws IOException {
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        out.writeInt(req.size());
        req.writeTo(out);
        out.flush();
        DataInputStream r = new DataInputStream(in);
        int size = r.readInt();
        if (size < 4 || size > MAX_RESPONSE) {
            throw new NotKafka("not a Kafka " + name(api) + " response (size " + size + ")");
        }
        byte[] payload = r.readNBytes(size);
        if (payload.length < size) {
            throw new EOFException();
        }
        return new DataInputStream(new java.io.ByteArrayInputStream(payload));
    }

    static void uvarint(DataOutputStream w, int v) throws IOException {
        while ((v & ~0x7f) != 0) {
            w.writeByte((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        w.writeByte(v);
    }

    static int uvarint(DataInputStream r) throws IOException {
        int v = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = r.readUnsignedByte();
            v |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("malformed varint");
    }

    private static int compactCount(DataInputStream r) throws IOException {
        int n = uvarint(r) - 1;
        if (n < -1 || n > 1_000_000) {
            throw new IOException("malformed array length " + n);
        }
        return Math.max(0, n);
    }

    private static String compactString(DataInputStream r) throws IOException {
        return utf8(r, uvarint(r) - 1);
    }

    /** The next {@code n} bytes as UTF-8, or null for a negative length (Kafka's null string). */
    private static String utf8(DataInputStream r, int n) throws IOException {
        if (n < 0) {
            return null;
        }
        byte[] b = r.readNBytes(n);
        if (b.length < n) {
            throw new EOFException();
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    private static void compactString(DataOutputStream w, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        uvarint(w, b.length + 1);
        w.write(b);
    }

    /** Skips a tagged-fields section: a count, then each tag's id, size and bytes. */
    private static void skipTags(DataInputStream r) throws IOException {
        for (int n = uvarint(r); n > 0; n--) {
            uvarint(r); // tag
            int size = uvarint(r);
            if (r.skipBytes(size) < size) {
                throw new EOFException();
            }
        }
    }

    /** Metadata v5 for every topic. */
    static Metadata metadata(Socket s, InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream w = new DataOutputStream(b);
        w.writeInt(-1); // topics: null = all
        w.writeBoolean(false); // allow_auto_topic_creation
        DataInputStream r = call(s, in, METADATA, (short) 5, b.toByteArray());
        r.readInt(); // throttle_time_ms
        List<Integer> brokers = new ArrayList<>();
        for (int i = count(r); i > 0; i--) {
            brokers.add(r.readInt());
            string(r); // host
            r.readInt(); // port
            string(r); // rack
        }
        string(r); // cluster_id
        int controller = r.readInt();
        List<Partition> partitions = new ArrayList<>();
        for (int t = count(r); t > 0; t--) {
            short topicError = r.readShort();
            String topic = string(r);
            r.readBoolean(); // is_internal
            int n = count(r);
            if (topicError != 0 && n == 0) {
                continue;
            }
            for (int p = n; p > 0; p--) {
                r.readShort(); // error_code
                int index = r.readInt();
                int leader = r.readInt();
                List<Integer> replicas = ints(r);
                List<Integer> isr = ints(r);
                ints(r); // offline_replicas
                partitions.add(new Partition(topic, index, leader, replicas, isr));
            }
        }
        return new Metadata(brokers, controller, partitions);
    }

    /**
     * {@code min.insync.replicas} of each topic (DescribeConfigs v1), as the broker resolves it (topic
     * override, else broker default); a topic the answer leaves out is missing from the map.
     */
    static java.util.Map<String, Integer> minInsyncReplicas(Socket s, InputStream in, List<String> topics) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream w = new DataOutputStream(b);
        w.writeInt(topics.size());
        for (String t : topics) {
            w.writeByte(2); // TOPIC
            string(w, t);
            w.writeInt(1);
            string(w, "min.insync.replicas");
        }
        w.writeBoolean(false); // include_synonyms
        DataInputStream r = call(s, in, DESCRIBE_CONFIGS, (short) 1, b.toByteArray());
        r.readInt(); // throttle_time_ms
        java.util.Map<String, Integer> out = new java.util.HashMap<>();
        for (int i = count(r); i > 0; i--) {
            short error = r.readShort();
            string(r); // error_message
            r.readByte(); // resource_type
            String name = string(r);
            for (int c = count(r); c > 0; c--) {
                String key = string(r);
                String value = string(r);
                r.readBoolean(); // read_only
                r.readByte(); // config_source
                r.readBoolean(); // is_sensitive
                for (int syn = count(r); syn > 0; syn--) {
                    string(r);
                    string(r);
                    r.readByte();
                }
                if (error == 0 && "min.insync.replicas".equals(key) && value != null) {
                    try {
                        out.put(name, Integer.parseInt(value));
                    } catch (NumberFormatException e) {
                        // not a number: leave the topic out
                    }
                }
            }
        }
        return out;
    }

    private static int count(DataInputStream r) throws IOException {
        int n = r.readInt();
        if (n < -1 || n > 1_000_000) {
            throw new IOException("malformed array length " + n);
        }
        return Math.max(0, n);
    }

    private static List<Integer> ints(DataInputStream r) throws IOException {
        List<Integer> out = new ArrayList<>();
        for (int i = count(r); i > 0; i--) {
            out.add(r.readInt());
        }
        return out;
    }

    private static String string(DataInputStream r) throws IOException {
        return utf8(r, r.readShort());
    }

    private static void string(DataOutputStream w, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        w.writeShort(b.length);
        w.write(b);
    }
}
