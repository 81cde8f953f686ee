package dev.dockhand.it.lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Kafka's Java client from the test JVM against brokers on the lab network (their FQDNs resolve through the JVM's hosts file). */
public final class Kafka implements AutoCloseable {
    static {
        // the clients log every config at INFO; keep the test's output to what matters (the agent jar on
        // the test class path brings its SLF4J backend, dev.dockhand.agent.log)
        dev.dockhand.agent.log.AgentLog.get().setLevel("org.apache.kafka", org.slf4j.event.Level.WARN);
    }

    private final String bootstrap;
    private final Map<String, String> security;
    private final Admin admin;

    public Kafka(String bootstrap) {
        this(bootstrap, Map.of());
    }

    /** @param security client settings every client of this helper gets (SASL_SSL and a login on a secured cluster) */
    public Kafka(String bootstrap, Map<String, String> security) {
        this.bootstrap = bootstrap;
        this.security = Map.copyOf(security);
        Properties p = new Properties();
        p.putAll(this.security);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
        admin = Admin.create(p);
    }

    public String bootstrap() {
        return bootstrap;
    }

    /** The client settings every client of this helper gets (empty on a plaintext cluster). */
    public Map<String, String> security() {
        return security;
    }

    public Admin admin() {
        return admin;
    }

    /** Broker ids that the cluster's metadata lists. */
    public Set<Integer> brokerIds() {
        try {
            Set<Integer> ids = new HashSet<>();
            admin.describeCluster().nodes().get(20, TimeUnit.SECONDS).forEach(n -> ids.add(n.id()));
            return ids;
        } catch (Exception e) {
            throw new IllegalStateException("describeCluster: " + e, e);
        }
    }

    /** The KRaft controller quorum as the brokers' controller describes it (DescribeQuorum through a broker). */
    public org.apache.kafka.clients.admin.QuorumInfo quorum() {
        try {
            return admin.describeMetadataQuorum().quorumInfo().get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("describeMetadataQuorum: " + e, e);
        }
    }

    public void createTopic(String topic, int partitions, int replicas, int minInsync) {
        try {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) replicas)
                    .configs(Map.of("min.insync.replicas", Integer.toString(minInsync))))).all().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("create topic " + topic + ": " + e, e);
        }
    }

    public TopicDescription describe(String topic) {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(20, TimeUnit.SECONDS).get(topic);
        } catch (Exception e) {
            throw new IllegalStateException("describe " + topic + ": " + e, e);
        }
    }

    /** Smallest ISR over the topic's partitions. */
    public int minIsr(String topic) {
        return describe(topic).partitions().stream().mapToInt(p -> p.isr().size()).min().orElse(0);
    }

    /** What one produce run got: the values acknowledged (acks=all) and the errors of the others. */
    public record Produced(Set<String> acked, List<String> errors) {}

    /** Sends {@code count} records {@code prefix-i} with acks=all; returns those the cluster acknowledged. */
    public Produced produce(String topic, String prefix, int count) {
        Set<String> acked = ConcurrentHashMap.newKeySet();
        List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < count; i++) {
                String v = prefix + "-" + i;
                producer.send(new ProducerRecord<>(topic, v, v), (md, e) -> {
                    if (e == null) {
                        acked.add(v);
                    } else {
                        errors.add(v + ": " + e);
                    }
                });
            }
            producer.flush();
        }
        return new Produced(Set.copyOf(acked), List.copyOf(errors));
    }

    public KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.putAll(security);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(Timing.seconds(120).toMillis()));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(Timing.seconds(60).toMillis()));
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /**
     * Reads the topic from the beginning of every partition (no group: nothing to coordinate) until every value
     * of {@code expected} was seen, bounded by {@code timeout}; returns every value read.
     */
    public Set<String> consumeAll(String topic, Collection<String> expected, Duration timeout) {
        Properties p = new Properties();
        p.putAll(security);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Set<String> seen = new HashSet<>();
        Set<String> missing = new HashSet<>(expected);
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(pi -> new TopicPartition(topic, pi.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + Timing.scaled(timeout).toNanos();
            while (!missing.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                    seen.add(r.value());
                    missing.remove(r.value());
                }
            }
        }
        return seen;
    }

    /** A producer in the background, sending until stopped; for "the brokers keep working during ...". */
    public static final class Background implements AutoCloseable {
        private final Set<String> acked = ConcurrentHashMap.newKeySet();
        private final List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        private final Thread thread;
        private volatile boolean stop;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        public Background(Kafka kafka, String topic, String prefix, Duration every) {
            thread = new Thread(() -> {
                try (KafkaProducer<String, String> p = kafka.producer()) {
                    for (int i = 0; !stop; i++) {
                        String v = prefix + "-" + i;
                        p.send(new ProducerRecord<>(topic, v, v), (md, e) -> {
                            if (e == null) {
                                acked.add(v);
                            } else {
                                errors.add(v + ": " + e);
                            }
                        });
                        TimeUnit.MILLISECONDS.sleep(every.toMillis()); // the production rate, not a wait
                    }
                    p.flush();
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "background-producer-" + prefix);
            thread.setDaemon(true);
            thread.start();
        }

        public int ackedCount() {
            return acked.size();
        }

        /** Stops sending, waits for the last acks; returns what was acknowledged and what failed. */
        public Produced finish() {
            stop = true;
            try {
                thread.join(Timing.seconds(150).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                throw new AssertionError("background producer did not finish");
            }
            if (failure.get() != null) {
                throw new AssertionError("background producer failed", failure.get());
            }
            return new Produced(Set.copyOf(acked), List.copyOf(errors));
        }

        @Override
        public void close() {
            stop = true;
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
