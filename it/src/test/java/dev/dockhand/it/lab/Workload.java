package dev.dockhand.it.lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What a cluster serves while it is rolled, from the test JVM, the whole time:
 * <ul>
 *   <li>a producer as applications run one ({@code acks=all}, idempotent, retrying within its delivery
 *       timeout): what it gets acknowledged must never be lost, and its latencies and stalls are the figures;
 *   <li>a canary producer that does not retry ({@code acks=all}, {@code retries=0}): every
 *       {@code NotEnoughReplicas} a broker answers reaches its callback, where the other one would retry
 *       it silently;
 *   <li>a consumer in a group that commits after every poll and has {@code auto.offset.reset=none}: a
 *       committed offset the cluster lost ends it with an error instead of being papered over.
 * </ul>
 */
public final class Workload implements AutoCloseable {
    public static final String GROUP = "rolling-consumer";

    private final Kafka kafka;
    private final String topic;
    private final long t0 = System.nanoTime();
    /** Acknowledged values of both producers. */
    private final Set<String> acked = ConcurrentHashMap.newKeySet();
    /** The durable producer's acknowledgements: nanos since t0 and latency in nanos. */
    private final ConcurrentLinkedQueue<long[]> acks = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> durableErrors = new ConcurrentLinkedQueue<>();
    private final Map<String, Integer> canaryErrors = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> notEnoughReplicas = new ConcurrentLinkedQueue<>();
    private final Set<String> consumed = ConcurrentHashMap.newKeySet();
    private final AtomicReference<Throwable> consumerFailure = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopProducing;
    private volatile boolean stopConsuming;
    private Map<TopicPartition, Long> lastCheckpoint = new HashMap<>();

    /** Starts the three clients on {@code topic} (which must exist); the group starts at offset 0 of every partition. */
    public Workload(Kafka kafka, String topic, Duration every) {
        this.kafka = kafka;
        this.topic = topic;
        commitStart();
        threads.add(thread("durable-producer", () -> produce(durableProducer(), "d", every, false)));
        threads.add(thread("canary-producer", () -> produce(canaryProducer(), "c", every.multipliedBy(4), true)));
        threads.add(thread("consumer", this::consume));
    }

    private Thread thread(String name, Runnable r) {
        Thread t = new Thread(r, "workload-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void commitStart() {
        try {
            Map<TopicPartition, OffsetAndMetadata> zero = new HashMap<>();
            kafka.describe(topic).partitions().forEach(p -> zero.put(new TopicPartition(topic, p.partition()), new OffsetAndMetadata(0)));
            kafka.admin().alterConsumerGroupOffsets(GROUP, zero).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("commit offset 0 for group " + GROUP + ": " + e, e);
        }
    }

    private KafkaProducer<String, String> durableProducer() {
        return kafka.producer();
    }

    private KafkaProducer<String, String> canaryProducer() {
        Properties p = new Properties();
        p.putAll(kafka.security()); // a secured cluster: the same login as the durable producer's
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.RETRIES_CONFIG, "0");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(Timing.seconds(60).toMillis()));
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private void produce(KafkaProducer<String, String> producer, String prefix, Duration every, boolean canary) {
        try (producer) {
            for (int i = 0; !stopProducing; i++) {
                String v = prefix + "-" + i;
                long sent = System.nanoTime();
                producer.send(new ProducerRecord<>(topic, v, v), (md, e) -> {
                    long now = System.nanoTime();
                    if (e == null) {
                        acked.add(v);
                        if (!canary) {
                            acks.add(new long[] {now - t0, now - sent});
                        }
                    } else if (canary) {
                        canaryErrors.merge(e.getClass().getSimpleName(), 1, Integer::sum);
                        if (e instanceof NotEnoughReplicasException || e instanceof NotEnoughReplicasAfterAppendException) {
                            notEnoughReplicas.add(String.format("%.1f s: %s", (now - t0) / 1e9, e.getMessage()));
                        }
                    } else {
                        durableErrors.add(v + ": " + e);
                    }
                });
                TimeUnit.NANOSECONDS.sleep(every.toNanos()); // the production rate, not a wait
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            durableErrors.add(prefix + " producer ended: " + e);
        }
    }

    private void consume() {
        Properties p = new Properties();
        p.putAll(kafka.security());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of(topic));
            while (!stopConsuming) {
                var records = c.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, String> r : records) {
                    consumed.add(r.value());
                }
                if (!records.isEmpty()) {
                    try {
                        c.commitSync(Duration.ofSeconds(10));
                    } catch (RetriableException | org.apache.kafka.clients.consumer.CommitFailedException e) {
                        // the coordinator moved, or a rebalance: the next poll's commit covers these records too
                    }
                }
            }
        } catch (Throwable t) {
            consumerFailure.set(t);
        }
    }

    public String bootstrap() {
        return kafka.bootstrap();
    }

    public int ackedCount() {
        return acked.size();
    }

    /** Seconds since the workload started, for {@link #figures}. */
    public double now() {
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * The group's committed offsets now; fails when one is missing or lower than at the last checkpoint (an
     * offset the cluster lost), or when the consumer ended.
     */
    public Map<TopicPartition, Long> checkpoint(String when) {
        if (consumerFailure.get() != null) {
            throw new AssertionError("the consumer ended " + when + ": " + consumerFailure.get(), consumerFailure.get());
        }
        Map<TopicPartition, Long> now = new TreeMap<>((a, b) -> Integer.compare(a.partition(), b.partition()));
        try {
            kafka.admin().listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                    .forEach((tp, om) -> now.put(tp, om == null ? -1 : om.offset()));
        } catch (Exception e) {
            throw new AssertionError("committed offsets of " + GROUP + " " + when + ": " + e, e);
        }
        for (Map.Entry<TopicPartition, Long> e : lastCheckpoint.entrySet()) {
            Long v = now.get(e.getKey());
            if (v == null || v < e.getValue()) {
                throw new AssertionError("the committed offset of " + e.getKey() + " was " + e.getValue() + " and is " + v + " " + when);
            }
        }
        lastCheckpoint = now;
        return now;
    }

    /** Offsets of the topic's partitions' ends (for "the consumer caught up"). */
    private Map<TopicPartition, Long> ends() throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        kafka.describe(topic).partitions().forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        Map<TopicPartition, Long> out = new HashMap<>();
        kafka.admin().listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, r) -> out.put(tp, r.offset()));
        return out;
    }

    /** What the run amounted to. */
    public record Report(Set<String> acked, Set<String> consumed, List<String> durableErrors, Map<String, Integer> canaryErrors,
            List<String> notEnoughReplicas, Map<TopicPartition, Long> committed, Map<TopicPartition, Long> ends) {

        public Set<String> lost() {
            Set<String> l = new HashSet<>(acked);
            l.removeAll(consumed);
            return l;
        }
    }

    /**
     * Stops both producers (their last records acknowledged or failed), then lets the consumer read and commit
     * up to the end of every partition (bounded), stops it and returns the report.
     */
    public Report finish(Duration catchUp) {
        stopProducing = true;
        join(threads.get(0), Timing.seconds(150));
        join(threads.get(1), Timing.seconds(150));
        Map<TopicPartition, Long> ends;
        try {
            ends = ends();
        } catch (Exception e) {
            throw new AssertionError("end offsets of " + topic + ": " + e, e);
        }
        Map<TopicPartition, Long> endsFinal = ends;
        Timing.awaitValue("the consumer group committed up to the end of every partition of " + topic, catchUp, Duration.ofMillis(250),
                () -> {
                    if (consumerFailure.get() != null) {
                        throw new AssertionError("the consumer ended: " + consumerFailure.get());
                    }
                    Map<TopicPartition, Long> c = checkpoint("while catching up");
                    return endsFinal.entrySet().stream().allMatch(e -> c.getOrDefault(e.getKey(), -1L) >= e.getValue()) ? Boolean.TRUE : null;
                }, () -> "committed " + lastCheckpoint + ", ends " + endsFinal);
        stopConsuming = true;
        join(threads.get(2), Timing.seconds(30));
        return new Report(Set.copyOf(acked), Set.copyOf(consumed), List.copyOf(durableErrors), Map.copyOf(canaryErrors),
                List.copyOf(notEnoughReplicas), Map.copyOf(lastCheckpoint), ends);
    }

    private static void join(Thread t, Duration d) {
        try {
            t.join(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            throw new AssertionError(t.getName() + " did not end within " + d.toSeconds() + " s");
        }
    }

    /**
     * The durable producer between {@code from} and {@code to} (seconds of {@link #now}): acknowledgements,
     * p99 and longest latency, and the longest time without any acknowledgement (a stall).
     */
    public record Figures(int acks, double p99Ms, double maxLatencyMs, double longestStallMs) {
        @Override
        public String toString() {
            return String.format("%d acks, p99 %.0f ms, max %.0f ms, longest stall %.0f ms", acks, p99Ms, maxLatencyMs, longestStallMs);
        }
    }

    public Figures figures(double from, double to) {
        List<long[]> in = new ArrayList<>();
        for (long[] a : acks) {
            double at = a[0] / 1e9;
            if (at >= from && at <= to) {
                in.add(a);
            }
        }
        in.sort((x, y) -> Long.compare(x[0], y[0]));
        List<Long> lat = in.stream().map(a -> a[1]).sorted().toList();
        double p99 = lat.isEmpty() ? 0 : lat.get(Math.min(lat.size() - 1, (int) Math.ceil(lat.size() * 0.99) - 1)) / 1e6;
        double max = lat.isEmpty() ? 0 : lat.get(lat.size() - 1) / 1e6;
        double stall = 0;
        double prev = from;
        for (long[] a : in) {
            stall = Math.max(stall, a[0] / 1e9 - prev);
            prev = a[0] / 1e9;
        }
        stall = Math.max(stall, to - prev);
        return new Figures(in.size(), p99, max, stall * 1000);
    }

    /** Values acknowledged so far that were sent before now (for read-back checks mid-run). */
    public Collection<String> ackedSoFar() {
        return Set.copyOf(acked);
    }

    @Override
    public void close() {
        stopProducing = true;
        stopConsuming = true;
    }
}
