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
        DataInputStream p = new DataInputStream(new java.io.ByteArrayInputStream(payload));
        int got = p.readInt();
        if (got != correlation) {
            throw new NotKafka(name(api) + " answered correlation id " + got + ", expected " + correlation);
        }
        return p;
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
        short n = r.readShort();
        if (n < 0) {
            return null;
        }
        byte[] b = r.readNBytes(n);
        if (b.length < n) {
            throw new EOFException();
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    private static void string(DataOutputStream w, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        w.writeShort(b.length);
        w.write(b);
    }
}
