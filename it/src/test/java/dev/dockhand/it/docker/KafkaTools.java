package dev.dockhand.it.docker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kafka's own command-line tools from the image's distribution, each run in a throwaway container
 * on the cluster's network (plain {@code java}, not the agent), so that the brokers' advertised
 * names (container names) resolve. Against a secured cluster, {@code clientDir} holds the client's
 * {@code client.properties} (SASL_SSL, a user's login, the CA as trust) and the CA, mounted at
 * {@value #CLIENT_DIR} and passed to every tool.
 */
record KafkaTools(String image, String network, String bootstrap, java.nio.file.Path clientDir) {

    static final String KAFKA_LIB = System.getProperty("dockhand.it.kafka.lib", "/opt/dockhand/lib/kafka");
    static final String CLIENT_DIR = "/client";
    static final String CLIENT_CONFIG = CLIENT_DIR + "/client.properties";

    KafkaTools(String image, String network, String bootstrap) {
        this(image, network, bootstrap, null);
    }

    Docker.Result run(Duration timeout, String mainClass, String... args) {
        return Docker.docker(timeout, runArgs(mainClass, List.of(args)).toArray(String[]::new));
    }

    /** docker run arguments of a tool, with the client config when the cluster is secured. */
    List<String> runArgs(String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("run", "--rm", "--label", Docker.LABEL, "--network", network));
        if (clientDir != null) {
            cmd.addAll(List.of("-v", clientDir + ":" + CLIENT_DIR + ":ro"));
        }
        cmd.addAll(List.of("--entrypoint", "java", image, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dlog4j.configuration=file:/dev/null", "-cp", KAFKA_LIB + "/*", mainClass));
        cmd.addAll(args);
        if (clientDir != null) {
            String option = switch (mainClass) {
                case "org.apache.kafka.tools.VerifiableProducer" -> "--producer.config";
                case "org.apache.kafka.tools.consumer.ConsoleConsumer" -> "--consumer.config";
                default -> "--command-config";
            };
            cmd.addAll(List.of(option, CLIENT_CONFIG));
        }
        return cmd;
    }

    void createTopic(String topic, int partitions, int replicas, int minInsync) {
        run(Duration.ofMinutes(2), "org.apache.kafka.tools.TopicCommand", "--bootstrap-server", bootstrap, "--create", "--if-not-exists",
                "--topic", topic, "--partitions", String.valueOf(partitions), "--replication-factor", String.valueOf(replicas),
                "--config", "min.insync.replicas=" + minInsync).ok();
    }

    /** Partitions whose in-sync replicas are fewer than their replicas; empty output = healthy. */
    String underReplicated() {
        return run(Duration.ofMinutes(2), "org.apache.kafka.tools.TopicCommand", "--bootstrap-server", bootstrap, "--describe",
                "--under-replicated-partitions").ok().out().trim();
    }

    String describe(String topic) {
        return run(Duration.ofMinutes(2), "org.apache.kafka.tools.TopicCommand", "--bootstrap-server", bootstrap, "--describe",
                "--topic", topic).ok().out();
    }

    /** The VerifiableProducer command line: one JSON line per acknowledged record on stdout. */
    List<String> producerArgs(String topic, int messages, int throughput) {
        return List.of("org.apache.kafka.tools.VerifiableProducer", "--bootstrap-server", bootstrap, "--topic", topic,
                "--max-messages", String.valueOf(messages), "--throughput", String.valueOf(throughput), "--acks", "-1");
    }

    Set<String> produce(String topic, int messages) {
        List<String> a = producerArgs(topic, messages, -1);
        return acked(run(Duration.ofMinutes(3), a.get(0), a.subList(1, a.size()).toArray(String[]::new)).ok().out());
    }

    /**
     * Records in the topic: the sum of its partitions' end offsets (no compaction, no transactions
     * in these tests). A producer that retried may have written records it never saw acknowledged,
     * so reading only as many records as were acknowledged could stop before the last acked one.
     */
    long count(String topic) {
        String out = run(Duration.ofMinutes(2), "org.apache.kafka.tools.GetOffsetShell", "--bootstrap-server", bootstrap,
                "--topic", topic).ok().out();
        long n = 0;
        for (String line : out.lines().map(String::trim).filter(l -> !l.isEmpty()).toList()) {
            n += Long.parseLong(line.substring(line.lastIndexOf(':') + 1));
        }
        return n;
    }

    /** Every value in the topic: as many records as {@link #count} says are there. */
    Set<String> consumeAll(String topic) {
        long n = count(topic);
        return consumeAll(topic, (int) n);
    }

    /** Every value in the topic, read from the beginning until {@code expected} records or the timeout. */
    Set<String> consumeAll(String topic, int expected) {
        String out = run(Duration.ofMinutes(3), "org.apache.kafka.tools.consumer.ConsoleConsumer", "--bootstrap-server", bootstrap,
                "--topic", topic, "--from-beginning", "--max-messages", String.valueOf(expected), "--timeout-ms", "60000",
                "--consumer-property", "group.id=it-" + System.nanoTime()).out();
        Set<String> values = new HashSet<>();
        out.lines().map(String::trim).filter(l -> !l.isEmpty()).forEach(values::add);
        return values;
    }

    private static final Pattern SUCCESS = Pattern.compile("\"name\":\"producer_send_success\".*?\"value\":\"([^\"]*)\"");

    static Set<String> acked(String producerOutput) {
        Set<String> values = new HashSet<>();
        Matcher m = SUCCESS.matcher(producerOutput);
        while (m.find()) {
            values.add(m.group(1));
        }
        return values;
    }
}
