package dev.dockhand.it.soak;

import dev.dockhand.it.lab.Kafka;
import dev.dockhand.it.lab.Timing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The soak's traffic, from the test JVM, for the whole run: one producer as applications run one
 * ({@code acks=all}, idempotent, retrying within its delivery timeout, {@link Kafka#producer()}) sending the
 * numbers 0, 1, 2, ... at a fixed rate, and one consumer in a group that commits after every poll. The
 * record's value is its number, so "acknowledged" and "consumed" are two bit sets compared at the end:
 * every acknowledged number must have been consumed (none lost); a number consumed twice is a duplicate,
 * counted apart (redelivery after a rebalance or a coordinator move is allowed, loss is not).
 */
public final class SoakLoad implements AutoCloseable {
    static final String GROUP = "soak";

    private final Kafka producerSide;
    private final Kafka admin;
    private final Map<String, String> clientSecurity;
    private final String topic;
    private final Duration every;
    private final long t0 = System.nanoTime();

    private final BitSet acked = new BitSet();
    private final BitSet consumed = new BitSet();
    private long duplicates;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failedSends = new AtomicLong();
    private final List<String> firstErrors = new ArrayList<>();
    private final List<String> consumerErrors = new ArrayList<>();
    // the producer's callbacks run on its one I/O thread: these are written there only
    private volatile long lastAckNanos;
    private volatile long longestStallNanos;
    private volatile long longestStallEndNanos;
    private volatile long maxLatencyNanos;
    private volatile boolean stopProducing;
    private volatile boolean stopConsuming;
    private final Thread producerThread;
    private final Thread consumerThread;

    /**
     * @param app      a client of the cluster as the application user (its producer is used)
     * @param admin    a client with the admin user (offsets, topic descriptions)
     * @param security the application user's client settings, for the consumer
     * @param every    time between two sends
     */
    SoakLoad(Kafka app, Kafka admin, Map<String, String> security, String topic, Duration every) {
        this.producerSide = app;
        this.admin = admin;
        this.clientSecurity = Map.copyOf(security);
        this.topic = topic;
        this.every = every;
        producerThread = thread("soak-producer", this::produce);
        consumerThread = thread("soak-consumer", this::consume);
    }

    private static Thread thread(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void produce() {
        try (KafkaProducer<String, String> p = producerSide.producer()) {
            for (int i = 0; !stopProducing; i++) {
                final int n = i;
                String v = Integer.toString(n);
                long sentAt = System.nanoTime();
                try {
                    p.send(new ProducerRecord<>(topic, v, v), (md, e) -> {
                        long now = System.nanoTime();
                        if (e == null) {
                            synchronized (acked) {
                                acked.set(n);
                            }
                            // measured from the first acknowledgement: the clients' first connection is not a stall
                            long gap = lastAckNanos == 0 ? 0 : now - lastAckNanos;
                            if (gap > longestStallNanos) {
                                longestStallNanos = gap;
                                longestStallEndNanos = now;
                            }
                            lastAckNanos = Math.max(lastAckNanos, now);
                            maxLatencyNanos = Math.max(maxLatencyNanos, now - sentAt);
                        } else {
                            failedSends.incrementAndGet();
                            note(firstErrors, n + ": " + e);
                        }
                    });
                    sent.incrementAndGet();
                } catch (RuntimeException e) {
                    failedSends.incrementAndGet();
                    note(firstErrors, n + " (send): " + e);
                }
                TimeUnit.NANOSECONDS.sleep(every.toNanos()); // the production rate, not a wait for a condition
            }
            p.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            note(firstErrors, "the producer ended: " + e);
        }
        // a stall that lasts until the end counts too
        long gap = lastAckNanos == 0 ? 0 : System.nanoTime() - lastAckNanos;
        if (gap > longestStallNanos && sent.get() > acked()) {
            longestStallNanos = gap;
            longestStallEndNanos = System.nanoTime();
        }
    }

    private static void note(List<String> list, String s) {
        synchronized (list) {
            if (list.size() < 10) {
                list.add(s);
            }
        }
    }

    private KafkaConsumer<String, String> consumer() {
        Properties p = new Properties();
        p.putAll(clientSecurity);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, admin.bootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    /** Reads and commits after every poll; a consumer that fails is replaced (counted), from the group's committed offsets. */
    private void consume() {
        for (int attempt = 0; !stopConsuming && attempt < 1000; attempt++) {
            try (KafkaConsumer<String, String> c = consumer()) {
                c.subscribe(List.of(topic));
                while (!stopConsuming) {
                    var records = c.poll(Duration.ofMillis(200));
                    synchronized (consumed) {
                        for (ConsumerRecord<String, String> r : records) {
                            int n = Integer.parseInt(r.value());
                            if (consumed.get(n)) {
                                duplicates++;
                            } else {
                                consumed.set(n);
                            }
                        }
                    }
                    if (!records.isEmpty()) {
                        try {
                            c.commitSync(Duration.ofSeconds(10));
                        } catch (org.apache.kafka.common.errors.RetriableException | org.apache.kafka.clients.consumer.CommitFailedException e) {
                            // a coordinator move or a rebalance: the next poll's commit covers these records too
                        }
                    }
                }
            } catch (RuntimeException e) {
                note(consumerErrors, String.format("%.1f s: %s", seconds(System.nanoTime()), e));
            }
        }
    }

    double seconds(long nanos) {
        return (nanos - t0) / 1e9;
    }

    long acked() {
        synchronized (acked) {
            return acked.cardinality();
        }
    }

    /** What the run amounted to. */
    public record Outcome(long sent, long acked, long failedSends, long consumedDistinct, long lost, List<Integer> lostSample, long duplicates,
            long consumedNotAcked, double longestStallS, double longestStallEndsAtS, double maxLatencyS, List<String> sendErrors,
            List<String> consumerErrors, String catchUpProblem) {}

    /**
     * Stops the producer (its last records acknowledged or failed), then lets the group read and commit up to
     * the end of every partition (bounded by {@code catchUp}), stops the consumer and compares.
     */
    Outcome finish(Duration catchUp) {
        stopProducing = true;
        join(producerThread, Timing.seconds(180));
        String problem = null;
        try {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describe(topic).partitions().forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.admin().listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, r) -> ends.put(tp, r.offset()));
            Map<TopicPartition, Long> committed = new HashMap<>();
            Timing.awaitValue("the group " + GROUP + " committed up to the end of every partition of " + topic, catchUp, Duration.ofMillis(500),
                    () -> {
                        committed.clear();
                        try {
                            admin.admin().listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                                    .forEach((tp, om) -> committed.put(tp, om == null ? -1 : om.offset()));
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        return ends.entrySet().stream().allMatch(e -> committed.getOrDefault(e.getKey(), -1L) >= e.getValue()) ? Boolean.TRUE : null;
                    }, () -> "committed " + committed + ", ends " + ends);
        } catch (AssertionError | RuntimeException | InterruptedException | java.util.concurrent.ExecutionException
                | java.util.concurrent.TimeoutException e) {
            problem = String.valueOf(e.getMessage());
        }
        stopConsuming = true;
        join(consumerThread, Timing.seconds(60));
        BitSet a;
        BitSet c;
        long dups;
        synchronized (acked) {
            a = (BitSet) acked.clone();
        }
        synchronized (consumed) {
            c = (BitSet) consumed.clone();
            dups = duplicates;
        }
        BitSet lost = (BitSet) a.clone();
        lost.andNot(c);
        BitSet extra = (BitSet) c.clone();
        extra.andNot(a);
        List<Integer> sample = new ArrayList<>();
        for (int i = lost.nextSetBit(0); i >= 0 && sample.size() < 20; i = lost.nextSetBit(i + 1)) {
            sample.add(i);
        }
        List<String> se;
        synchronized (firstErrors) {
            se = List.copyOf(firstErrors);
        }
        List<String> ce;
        synchronized (consumerErrors) {
            ce = List.copyOf(consumerErrors);
        }
        return new Outcome(sent.get(), a.cardinality(), failedSends.get(), c.cardinality(), lost.cardinality(), sample, dups,
                extra.cardinality(), longestStallNanos / 1e9, seconds(longestStallEndNanos), maxLatencyNanos / 1e9, se, ce, problem);
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

    @Override
    public void close() {
        stopProducing = true;
        stopConsuming = true;
    }
}
