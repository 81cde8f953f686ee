package dev.dockhand.it.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dockhand.it.examples.ComposeFile;
import dev.dockhand.it.examples.Examples.NodeEntry;
import dev.dockhand.it.examples.Examples;
import dev.dockhand.it.lab.Await;
import dev.dockhand.it.lab.Cmd;
import dev.dockhand.it.lab.Need;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * A multi-container cluster from a compose example ({@code -Ddockhand.it.compose}, default
 * compose-kraft: the secured Kafka 4 cluster the README leads with), started with {@code docker run}
 * on a network of its own: containers get unique names and the example's container names as network
 * aliases, which are their FQDNs. One cluster for every test method, in order; each method leaves it
 * healthy for the next. A secured example gets its secrets from the image's own {@code agent ca init},
 * as its README says, and its clients log in as a user of them.
 */
@DockerEngine.Needed
class ClusterIT {
    private static final String ID = UUID.randomUUID().toString().substring(0, 8);
    private static String NETWORK;
    /** The compose example this class runs: compose-production for {@link ProductionComposeClusterIT}. */
    private static String example;
    private static final Duration START = Duration.ofMinutes(6);
    private static String image;
    private static ComposeFile compose;
    /** compose service name -> container name */
    private static final Map<String, String> containers = new LinkedHashMap<>();
    private static final List<String> volumes = new ArrayList<>();
    private static KafkaTools kafka;
    private static List<NodeEntry> nodes;
    /** A secured example's secrets (made by `agent ca init` in the image, as its README says), null for a plaintext one. */
    private static java.nio.file.Path secrets;
    /**
     * The example's outside ports, moved to a base free on this host (several checkouts share the engine
     * and the host's ports): each broker's service -> its outside port, published as the same number, as
     * the example publishes its own; empty when the example declares no outside address.
     */
    private static final Map<String, Integer> outsidePorts = new LinkedHashMap<>();
    /** {@code AGENT_EXTERNAL_PORT} as the containers get it: the example's {@code N+id} with the free base. */
    private static String outsidePortSpec;

    @BeforeAll
    static void startCluster(org.junit.jupiter.api.TestInfo info) throws Exception {
        example = info.getTestClass().orElseThrow() == ProductionComposeClusterIT.class ? "compose-production"
                : System.getProperty("dockhand.it.compose", "compose-kraft");
        NETWORK = "dockhand-it-" + ID + "-" + example.replace("compose-", "");
        image = DockhandImage.get();
        compose = ComposeFile.read(Examples.repoRoot().resolve("examples/" + example + "/docker-compose.yml"), Map.of("DOCKHAND_IMAGE", image));
        if (!compose.secrets().isEmpty()) {
            secrets = makeSecrets(example);
        }
        Docker.docker("network", "create", "--label", Docker.LABEL, NETWORK).ok();
        for (String v : compose.volumes()) {
            String name = NETWORK + "-" + v;
            Docker.docker("volume", "create", "--label", Docker.LABEL, name).ok();
            volumes.add(name);
        }
        nodes = Examples.parseNodes(compose.services().get(0).env("AGENT_NODES"));
        moveOutsidePortsToAFreeBase();
        for (ComposeFile.Service s : compose.services()) {
            containers.put(s.name(), NETWORK + "-" + s.containerName());
            Docker.docker(runArgs(s, containers.get(s.name()), s.env("AGENT_FQDN"), Map.of())).ok();
        }
        String bootstrap = String.join(",", nodes.stream().filter(n -> runsBroker(n.role())).map(n -> n.fqdn() + ":9092").toList());
        kafka = new KafkaTools(image, NETWORK, bootstrap, secrets == null ? null : clientDir("ops", scram("SCRAM-SHA-512", "ops", password("ops"))));
        Docker.awaitHealthy(START, List.copyOf(containers.values()));
    }

    @AfterAll
    static void removeCluster() {
        containers.values().forEach(c -> Docker.removeQuietly("container", c));
        volumes.forEach(v -> Docker.removeQuietly("volume", v));
        Docker.removeQuietly("network", NETWORK);
        containers.clear();
        volumes.clear();
        secrets = null;
        outsidePorts.clear();
        outsidePortSpec = null;
    }

    /**
     * The scenarios, in this order, on the one cluster this class starts: each begins where the previous one
     * left it (a sequence, not independent tests; a failed step does not stop the next).
     */
    @TestFactory
    Stream<DynamicTest> scenarios() {
        return Stream.of(
                dynamicTest("1 every container is healthy reports its services ready and runs as non root", this::everyContainerIsHealthyReportsItsServicesReadyAndRunsAsNonRoot),
                dynamicTest("2 produces and consumes with acks all across brokers", this::producesAndConsumesWithAcksAllAcrossBrokers),
                dynamicTest("3 broker killed inside its container is restarted and no acknowledged record is lost", this::brokerKilledInsideItsContainerIsRestartedAndNoAcknowledgedRecordIsLost),
                dynamicTest("4 docker stop is clean and the restarted broker skips recovery", this::dockerStopIsCleanAndTheRestartedBrokerSkipsRecovery),
                dynamicTest("5 volume of another node is refused with exit2 and left untouched", this::volumeOfAnotherNodeIsRefusedWithExit2AndLeftUntouched),
                dynamicTest("6 agent footprint and status time inside the containers", this::agentFootprintAndStatusTimeInsideTheContainers),
                // an example without a roll script has no roll to test: the step is not there rather than skipped
                dynamicTest("7 roll.sh restarts the brokers one at a time and the producer loses nothing",
                        this::rollShRestartsTheBrokersOneAtATimeAndTheProducerLosesNothing),
                // a KRaft example, secured: its logins and the controllers' listener (a plaintext example has no logins to
                // try, and ProductionClusterIT tries the ZooKeeper-mode ones): the step is not there rather than skipped
                dynamicTest("8 outside clients log in with SCRAM-SHA-256 and -512; plaintext, a wrong password and certificates"
                        + " the controllers do not trust are refused", this::outsideClientsLogInAndTheRefusalsHold),
                // a secured example with an outside address (compose-kraft, compose-production): the step is not there for
                // one without (compose-default) rather than skipped
                dynamicTest("9 clients on the Docker host (Kafka's Java client, kcat) produce and consume with acks all through the"
                        + " published outside ports; no login, a wrong password and a name the certificates lack are refused",
                        this::clientsOnTheDockerHostProduceAndConsumeThroughThePublishedOutsidePorts))
                .filter(t -> !t.getDisplayName().startsWith("7 ") || Files.isExecutable(rollSh()))
                .filter(t -> !t.getDisplayName().startsWith("8 ") || secrets != null && nodes.stream().anyMatch(n -> n.role().equals("controller")))
                .filter(t -> !t.getDisplayName().startsWith("9 ") || secrets != null && !outsidePorts.isEmpty());
    }

    void everyContainerIsHealthyReportsItsServicesReadyAndRunsAsNonRoot() throws Exception {
        var catalog = Examples.catalog();
        for (ComposeFile.Service s : compose.services()) {
            String c = containers.get(s.name());
            assertEquals("healthy", Docker.health(c), c);
            Docker.Result status = Docker.exec(c, "agent", "status");
            assertEquals(0, status.exit(), c + ": agent status\n" + status.all());
            for (String svc : Examples.servicesRunning(catalog, s.env("AGENT_CLUSTER_CONFIG"), s.env("AGENT_ROLE"), s.env("AGENT_SECURITY"))) {
                assertTrue(status.out().contains(svc), c + ": agent status lists " + svc + "\n" + status.out());
            }
            List<String> root = Docker.rootProcesses(c);
            assertTrue(root.isEmpty(), c + ": processes run as root: " + root);
            // `agent ready` and `agent health` answer from the agent's HTTP endpoint without a JVM (the
            // image's wrapper), and as the CLI does over the control socket when that endpoint is off
            for (String cmd : List.of("ready", "health")) {
                Docker.Result fast = Docker.exec(c, "agent", cmd);
                Docker.Result cli = Docker.exec(c, "env", "AGENT_HTTP_PORT=0", "agent", cmd);
                assertEquals(0, fast.exit(), c + ": agent " + cmd + "\n" + fast.all());
                assertEquals(cli.exit(), fast.exit(), c + ": agent " + cmd + " over HTTP and over the socket\n" + cli.all());
                assertEquals(cli.out().trim(), fast.out().trim(), c + ": agent " + cmd + " says the same either way");
            }
        }
    }
    void producesAndConsumesWithAcksAllAcrossBrokers() {
        kafka.createTopic("it-acks", 3, 3, 2);
        String describe = kafka.describe("it-acks");
        assertEquals(3, describe.lines().filter(l -> l.contains("Isr:") && l.replaceAll(".*Isr: ", "").split(",").length == 3).count(),
                "three partitions, each with three in-sync replicas:\n" + describe);
        Set<String> acked = kafka.produce("it-acks", 1000);
        assertEquals(1000, acked.size(), "records acknowledged by all in-sync replicas");
        assertTrue(kafka.consumeAll("it-acks").containsAll(acked), "every acknowledged record is read back");
    }
    void brokerKilledInsideItsContainerIsRestartedAndNoAcknowledgedRecordIsLost() {
        String c = brokerContainer(nodes.size() - 1);
        String restartsBefore = Docker.inspect(c, "{{.RestartCount}}");
        JsonNode before = broker(status(c));
        int pidBefore = before.path("pid").asInt();
        assertTrue(pidBefore > 0, c + ": no broker pid in agent status: " + before);
        kafka.createTopic("it-kill", 3, 3, 2);
        List<String> a = kafka.producerArgs("it-kill", 3000, 100);
        String producer = NETWORK + "-producer";
        List<String> run = new ArrayList<>(kafka.runArgs(a.get(0), a.subList(1, a.size())));
        run.remove("--rm");
        run.addAll(1, List.of("-d", "--name", producer));
        try {
            Docker.docker(run.toArray(String[]::new)).ok();
            Await.until("the producer's first 50 acknowledged records, before the kill", Duration.ofMinutes(2), Duration.ofSeconds(1),
                    () -> assertTrue(KafkaTools.acked(Docker.logs(producer)).size() >= 50, () -> Docker.tail(Docker.logs(producer), 20)));
            // the broker process, not the container: SIGKILL to the pid the agent supervises
            Docker.exec(c, "kill", "-KILL", String.valueOf(pidBefore)).ok();
            Instant killed = Instant.now();
            Instant deadline = killed.plus(Duration.ofMinutes(3));
            // Bounded: the agent must see the death and start a new broker, which must get READY (in
            // ZooKeeper mode it waits until ZooKeeper expires the old session, ~12 s)...
            JsonNode now = Await.value(c + ": broker restarted and ready after kill -9", Duration.ofMinutes(3), Duration.ofSeconds(1), () -> {
                if (!Docker.running(c)) {
                    throw new Await.Hopeless(c + ": the container died with its broker");
                }
                JsonNode b = broker(status(c));
                assertTrue(b.path("restarts").asInt() > before.path("restarts").asInt() && "READY".equals(b.path("state").asText())
                        && b.path("pid").asInt() != pidBefore, () -> Docker.exec(c, "agent", "status").all());
                return b;
            });
            Duration back = Duration.between(killed, Instant.now());
            // ...and the cluster must heal: every replica back in sync.
            awaitFullyReplicated();
            System.out.printf("%s: broker pid %d killed; ready again as pid %d after %d s, %d restart(s); in sync after %d s%n", c,
                    pidBefore, now.path("pid").asInt(), back.toSeconds(), now.path("restarts").asInt() - before.path("restarts").asInt(),
                    Duration.between(killed, Instant.now()).toSeconds());
            assertEquals(restartsBefore, Docker.inspect(c, "{{.RestartCount}}"), "the agent restarted the broker, not Docker the container");
            assertEquals(0, Docker.exec(c, "agent", "ready").exit(), c + ": every service ready after the broker's restart");
            Docker.docker(Duration.ofMinutes(3), "wait", producer).ok();
            Set<String> acked = KafkaTools.acked(Docker.logs(producer));
            assertFalse(acked.isEmpty(), "the producer got acknowledgements");
            Set<String> read = kafka.consumeAll("it-kill");
            Set<String> lost = new HashSet<>(acked);
            lost.removeAll(read);
            assertTrue(lost.isEmpty(), lost.size() + " of " + acked.size() + " acknowledged records lost, e.g. " + lost.stream().limit(10).toList());
            System.out.printf("it-kill: %d records acknowledged (acks=all, min.insync.replicas=2), %d read back, none lost%n",
                    acked.size(), read.size());
        } finally {
            Docker.removeQuietly("container", producer);
        }
    }
    void dockerStopIsCleanAndTheRestartedBrokerSkipsRecovery() {
        String c = brokerContainer(nodes.size() - 1);
        // the example's own stop_grace_period (docker run --stop-timeout): docker stop without -t
        Duration grace = serviceOf(c).stopGracePeriod();
        Docker.Result stop = Docker.docker(grace.plusMinutes(1), "stop", c).ok();
        String stopped = Docker.logs(c);
        assertEquals("0", Docker.inspect(c, "{{.State.ExitCode}}"), c + " exit code after docker stop; log:\n" + Docker.tail(stopped, 40));
        assertTrue(stop.took().compareTo(grace) < 0, "docker stop took " + stop.took() + ", the grace period is " + grace);
        // a controlled shutdown: the controller moved the broker's leaderships away before it stopped (Kafka 3.9 in
        // ZooKeeper mode and Kafka 4 in KRaft mode say so in their own words)
        assertTrue(stopped.contains("Controlled shutdown request returned successfully")
                || stopped.contains("The controller has asked us to exit controlled shutdown"), c + ": no successful controlled shutdown:\n"
                + Docker.tail(stopped, 60));
        assertFalse(stopped.contains("Error during controlled shutdown")
                || stopped.contains("Timed out waiting for the controller to approve controlled shutdown"),
                c + ": controlled shutdown retried or timed out:\n" + Docker.tail(stopped, 60));
        System.out.printf("%s: docker stop (grace %d s) took %d ms, exit 0, controlled shutdown%n", c, grace.toSeconds(), stop.took().toMillis());
        Docker.docker("start", c).ok();
        String since = Docker.inspect(c, "{{.State.StartedAt}}");
        Docker.awaitHealthy(START, List.of(c));
        String log = Docker.docker("logs", "--since", since, c).all();
        // KRaft recovers its metadata log (__cluster_metadata) at every start, clean or not: the partitions' logs are what
        // a clean stop spares
        List<String> recovered = log.lines().filter(l -> l.contains("Recovering unflushed segment") && !l.contains("__cluster_metadata")).toList();
        assertEquals(List.of(), recovered, c + ": log recovery after a clean stop:\n" + Docker.tail(log, 60));
        assertTrue(log.contains("Skipping recovery"), c + ": no 'Skipping recovery' line after a clean stop:\n" + Docker.tail(log, 60));
        awaitFullyReplicated();
    }
    void volumeOfAnotherNodeIsRefusedWithExit2AndLeftUntouched() {
        int victim = nodes.size() - 1;
        String c = brokerContainer(victim);
        ComposeFile.Service s = serviceOf(c);
        String other = nodes.stream().filter(n -> n.role().equals(s.env("AGENT_ROLE")) && !n.fqdn().equals(s.env("AGENT_FQDN")))
                .findFirst().orElseThrow().fqdn();
        Docker.docker(s.stopGracePeriod().plusMinutes(1), "stop", c).ok();
        assertEquals("0", Docker.inspect(c, "{{.State.ExitCode}}"), c + " exit code after docker stop");
        String volume = NETWORK + "-" + s.volumes().get(0).substring(0, s.volumes().get(0).indexOf(':'));
        String before = Docker.volumeSnapshot(image, volume);
        Docker.Result r = Docker.docker(Duration.ofMinutes(1), runArgs(s, null, other, Map.of()));
        assertEquals(2, r.exit(), "a node claiming to be " + other + " on the volume of " + s.env("AGENT_FQDN") + ":\n" + r.all());
        assertTrue(r.all().contains("meta.properties") || r.all().contains("myid"), "the message names the identity file:\n" + r.all());
        assertEquals(before, Docker.volumeSnapshot(image, volume), "the volume is untouched");
        System.out.println("node " + other + " on the volume of " + s.env("AGENT_FQDN") + ": exit 2, "
                + r.all().lines().filter(l -> l.startsWith("agent:")).toList());
        Docker.docker("start", c).ok();
        Docker.awaitHealthy(START, List.of(c));
        awaitFullyReplicated();
    }

    /**
     * The figures image/README.md records: the agent's RSS as PID 1 of each container of a running
     * cluster, and the wall time of {@code agent status} (a fresh CLI JVM) inside the container. What is
     * asserted is that every `agent status` answered and a loose memory bound; the times are figures,
     * printed, never asserted (a shared, loaded machine).
     */
    void agentFootprintAndStatusTimeInsideTheContainers() {
        for (String c : containers.values()) {
            long rssKb = Long.parseLong(Docker.exec(c, "bash", "-c", "awk '/^VmRSS:/ {print $2}' /proc/1/status").ok().out().trim());
            // exit 0 or 1 (every service ready, or one not ready at that moment: a controller whose probe timed out on a
            // loaded host) is an answer; 2 or 3 (no agent, a failure) is not
            String times = Docker.exec(c, "bash", "-c", "for i in 1 2 3 4 5 6 7; do s=$(date +%s%N); agent status >/dev/null; "
                    + "[ $? -le 1 ] || echo fail; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); done").ok().out();
            assertFalse(times.contains("fail"), c + ": agent status failed:\n" + times);
            List<Long> ms = times.lines().map(String::trim).map(Long::parseLong).sorted().toList();
            String ps = Docker.exec(c, "ps", "-eo", "pid,rss,args", "--sort", "pid").ok().out();
            System.out.printf("%s: agent (pid 1) RSS %.1f MiB; agent status wall time median %d ms (min %d, max %d, 7 runs)%n%s%n", c,
                    rssKb / 1024.0, ms.get(ms.size() / 2), ms.get(0), ms.get(ms.size() - 1),
                    ps.lines().map(l -> l.length() > 140 ? l.substring(0, 140) : l).reduce((x, y) -> x + "\n" + y).orElse(""));
            assertTrue(rssKb < 160 * 1024, c + ": the agent's RSS is " + rssKb / 1024 + " MiB (expected well under 160 MiB)");
        }
    }

    /**
     * The production example's roll.sh restarts the brokers one at a time, each once the one before is
     * ready again, under a producer with acks=all (replication factor 3, min.insync.replicas 2): no send
     * refused for too few in-sync replicas (NotEnoughReplicas), the producer kept producing, and every
     * acknowledged record is read back. Not every send is acknowledged: Kafka's VerifiableProducer sends
     * with retries=0, so a send that meets a leadership moving to another broker fails
     * (NotLeaderOrFollower) where a producer with retries would retry it; those are counted and printed.
     */
    void rollShRestartsTheBrokersOneAtATimeAndTheProducerLosesNothing() {
        kafka.createTopic("it-roll", 3, 3, 2);
        String producer = NETWORK + "-roll-producer";
        List<String> a = kafka.producerArgs("it-roll", 1_000_000, 50);
        List<String> run = new ArrayList<>(kafka.runArgs(a.get(0), a.subList(1, a.size())));
        run.remove("--rm");
        run.addAll(1, List.of("-d", "--name", producer));
        try {
            Docker.docker(run.toArray(String[]::new)).ok();
            Docker.Result roll = Docker.run(List.of(Examples.repoRoot().resolve("examples/" + example() + "/roll.sh").toString(),
                    "--filter", "name=" + NETWORK + "-", "broker"), null, Duration.ofMinutes(20));
            System.out.println("roll.sh:\n" + roll.all());
            assertEquals(0, roll.exit(), "roll.sh broker:\n" + roll.all());
            List<String> brokers = containers.values().stream().filter(c -> "broker".equals(serviceOf(c).env("AGENT_ROLE"))).sorted().toList();
            for (String c : brokers) {
                assertTrue(roll.out().contains(c + ": ready again after"), c + " rolled:\n" + roll.out());
                assertEquals(0, Docker.exec(c, "agent", "ready").exit(), c + " ready after the roll");
            }
            Docker.docker(Duration.ofMinutes(3), "stop", "-t", "30", producer).ok();
            String out = Docker.logs(producer);
            Set<String> acked = KafkaTools.acked(out);
            // Kafka's VerifiableProducer sends with retries=0: a leadership that moves during the roll fails a
            // send (NotLeaderOrFollower), which a producer with retries would retry; what a safe roll must
            // never cause is a partition below min.insync.replicas (NotEnoughReplicas)
            List<String> errors = out.lines().filter(l -> l.contains("\"producer_send_error\"")).toList();
            List<String> belowMinIsr = errors.stream().filter(l -> l.contains("NotEnoughReplicas")).toList();
            assertEquals(List.of(), belowMinIsr.size() > 10 ? belowMinIsr.subList(0, 10) : belowMinIsr,
                    "sends refused for too few in-sync replicas during the roll");
            assertTrue(acked.size() > 100, "the producer kept producing: " + acked.size());
            Set<String> read = kafka.consumeAll("it-roll");
            Set<String> lost = new HashSet<>(acked);
            lost.removeAll(read);
            assertTrue(lost.isEmpty(), lost.size() + " of " + acked.size() + " acknowledged records lost");
            System.out.printf("it-roll: %d records acknowledged during the roll of %d brokers, none lost; %d sends failed on a moved"
                    + " leadership (no retries), none for too few in-sync replicas%n", acked.size(), brokers.size(), errors.size());
            awaitFullyReplicated();
        } finally {
            Docker.removeQuietly("container", producer);
        }
    }

    /**
     * Clients nobody here wrote, as a user's application runs them: Kafka's own tools in a container of their
     * own on the cluster's network, given only the CA and a user of the users file. The README's user
     * {@code app} creates a topic, produces with acks=all and reads everything back over SASL_SSL, once with
     * SCRAM-SHA-256 and once with SCRAM-SHA-512; next to each login, on the same listener, the same user with
     * a wrong password is refused, and so is a client that speaks plaintext. On the controllers' 9093 (a
     * KRaft example), a broker reaches the quorum with its certificate from its own container (the positive
     * check, across the network), while an outside client without a certificate, and one whose certificate
     * names a broker but comes from another CA, are refused.
     */
    void outsideClientsLogInAndTheRefusalsHold() throws Exception {
        String bootstrap = kafka.bootstrap();
        String app = password("app");
        for (String mechanism : List.of("SCRAM-SHA-256", "SCRAM-SHA-512")) {
            String topic = "it-" + mechanism.toLowerCase(java.util.Locale.ROOT);
            KafkaTools client = new KafkaTools(image, NETWORK, bootstrap, clientDir("app-" + mechanism, scram(mechanism, "app", app)));
            client.createTopic(topic, 3, 3, 2);
            Set<String> acked = client.produce(topic, 300);
            assertEquals(300, acked.size(), "app over SASL_SSL with " + mechanism + ": records acknowledged by all in-sync replicas");
            assertTrue(client.consumeAll(topic).containsAll(acked), "app over SASL_SSL with " + mechanism + ": every record read back");
            KafkaTools wrong = new KafkaTools(image, NETWORK, bootstrap, clientDir("wrong-" + mechanism, scram(mechanism, "app", app + "x")));
            Docker.Result refused = wrong.run(Duration.ofMinutes(2), "org.apache.kafka.tools.TopicCommand", "--bootstrap-server", bootstrap,
                    "--list");
            assertTrue(refused.exit() != 0 && refused.all().contains("Authentication failed"),
                    "app with a wrong password over " + mechanism + " is refused:\n" + refused.all());
            System.out.printf("%s: app produced and read back %d records; a wrong password: %s%n", mechanism, acked.size(),
                    firstLine(refused.all(), "Authentication failed"));
        }
        KafkaTools plain = new KafkaTools(image, NETWORK, bootstrap, clientDir("plaintext", List.of("security.protocol=PLAINTEXT",
                "request.timeout.ms=5000", "default.api.timeout.ms=15000")));
        Docker.Result plaintext = plain.run(Duration.ofMinutes(2), "org.apache.kafka.tools.TopicCommand", "--bootstrap-server", bootstrap,
                "--list");
        // how the client gives up is its own (a timeout, or its thread ending on what it read as a response): it fails
        // and lists no topic
        assertTrue(plaintext.exit() != 0 && !plaintext.out().contains("it-scram"),
                "a plaintext client on the SASL_SSL listener gets nothing:\n" + plaintext.all());
        System.out.println("plaintext on 9092: " + firstLine(plaintext.all(), "Error"));

        List<String> controllers = nodes.stream().filter(n -> n.role().equals("controller")).map(NodeEntry::fqdn).toList();
        if (controllers.isEmpty()) {
            return; // ZooKeeper mode: no controllers' listener
        }
        String quorum = controllers.get(0) + ":9093";
        Docker.Result broker = Docker.exec(brokerContainer(nodes.size() - 1), "kafka-metadata-quorum", "--bootstrap-controller", quorum,
                "describe", "--status");
        assertTrue(broker.exit() == 0 && broker.out().contains("LeaderId"), "a broker reaches " + quorum + " with its certificate:\n"
                + broker.all());
        List<String> tls = List.of("security.protocol=SSL", "ssl.truststore.type=PEM", "ssl.truststore.location=" + KafkaTools.CLIENT_DIR
                + "/ca.crt", "request.timeout.ms=5000", "default.api.timeout.ms=15000");
        Docker.Result noCert = new KafkaTools(image, NETWORK, bootstrap, clientDir("no-certificate", tls))
                .run(Duration.ofMinutes(2), "org.apache.kafka.tools.MetadataQuorumCommand", "--bootstrap-controller", quorum, "describe", "--status");
        assertTrue(noCert.exit() != 0 && !noCert.out().contains("LeaderId"), "a client without a certificate on " + quorum + " is refused:\n"
                + noCert.all());
        java.nio.file.Path foreignDir = clientDir("foreign-ca", List.of());
        foreignCertificate(foreignDir, brokerFqdn());
        List<String> foreignTls = new ArrayList<>(tls);
        foreignTls.addAll(List.of("ssl.keystore.type=PEM", "ssl.keystore.location=" + KafkaTools.CLIENT_DIR + "/keystore.pem"));
        writeClientConfig(foreignDir, foreignTls);
        Docker.Result foreign = new KafkaTools(image, NETWORK, bootstrap, foreignDir)
                .run(Duration.ofMinutes(2), "org.apache.kafka.tools.MetadataQuorumCommand", "--bootstrap-controller", quorum, "describe", "--status");
        assertTrue(foreign.exit() != 0 && !foreign.out().contains("LeaderId"), "a client whose certificate names " + brokerFqdn()
                + " but comes from another CA is refused on " + quorum + ":\n" + foreign.all());
        System.out.printf("%s: a broker's certificate: %s; no certificate: %s; another CA's: %s%n", quorum,
                firstLine(broker.out(), "LeaderId"), lastLine(noCert.all()), lastLine(foreign.all()));
    }

    /**
     * What a user of the example does on the Docker host, after `up`: clients on the host (not in a container,
     * not on the cluster's network) given only the published outside addresses, the cluster's CA and the user
     * {@code app}, host names verified. Kafka's own Java client, in this JVM, finds the brokers advertising those
     * addresses, produces with acks=all to a topic of three in-sync replicas and reads every record back; kcat
     * (librdkafka, Debian's package, on the host) does the same where its librdkafka can log in to the example's
     * Kafka (before 2.6.1 it cannot log in to Kafka 4: {@link #kcatLogsInToKafka4}), else it shows that it gets
     * through TLS, the broker's name verified, to the login. On the same addresses, next to that: TLS without a
     * login is hung up on, a wrong password fails authentication, and the right login under a name no broker's
     * certificate holds ({@code 127.0.0.1}, the same socket) fails the handshake.
     */
    void clientsOnTheDockerHostProduceAndConsumeThroughThePublishedOutsidePorts() throws Exception {
        Need.tool("kcat", "kcat");
        String host = compose.services().get(0).env("AGENT_EXTERNAL_HOST");
        assertEquals("localhost", host, "the example's outside host, as the IT runs it (DOCKHAND_EXTERNAL_HOST unset)");
        List<String> addresses = outsidePorts.values().stream().map(p -> host + ":" + p).toList();
        String servers = String.join(",", addresses);
        String ca = secrets.resolve("ca.crt").toString();
        String app = password("app");
        kafka.createTopic("it-outside", 3, 3, 2);

        // Kafka's Java client on the Docker host
        try (dev.dockhand.it.lab.Kafka outside = new dev.dockhand.it.lab.Kafka(servers, javaLogin("app", app, ca))) {
            Set<String> advertised = new HashSet<>();
            outside.admin().describeCluster().nodes().get(60, java.util.concurrent.TimeUnit.SECONDS)
                    .forEach(n -> advertised.add(n.host() + ":" + n.port()));
            assertEquals(Set.copyOf(addresses), advertised, "the brokers advertise their published outside addresses");
            dev.dockhand.it.lab.Kafka.Produced produced = outside.produce("it-outside", "java", 300);
            assertEquals(List.of(), produced.errors(), "the Java client on the Docker host, acks=all");
            assertEquals(300, produced.acked().size(), "records acknowledged by all in-sync replicas");
            assertTrue(outside.consumeAll("it-outside", produced.acked(), Duration.ofSeconds(90)).containsAll(produced.acked()),
                    "every record produced from the Docker host is read back from it");
        }
        try (dev.dockhand.it.lab.Kafka wrongJava = new dev.dockhand.it.lab.Kafka(servers, javaLogin("app", app + "x", ca))) {
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, wrongJava::brokerIds);
            assertTrue(String.valueOf(e).contains("SaslAuthenticationException"), "a wrong password through the outside addresses: " + e);
        }

        // kcat on the Docker host
        boolean kafka4 = nodes.stream().anyMatch(n -> n.role().equals("controller"));
        boolean kcatLogsIn = !kafka4 || kcatLogsInToKafka4();
        Cmd.Result listed = kcat(servers, scramLogin("app", app, ca), "-L");
        if (kcatLogsIn) {
            assertEquals(0, listed.exit(), "kcat -L through the outside addresses:\n" + listed.out());
            for (String a : addresses) {
                assertTrue(listed.out().contains(" at " + a), "the brokers advertise their outside addresses (" + a + "):\n" + listed.out());
            }
            java.nio.file.Path lines = java.nio.file.Path.of("target/docker-client", example, "outside-lines").toAbsolutePath();
            java.nio.file.Files.createDirectories(lines.getParent());
            List<String> sent = java.util.stream.IntStream.rangeClosed(1, 300).mapToObj(i -> "kcat-" + i).toList();
            java.nio.file.Files.writeString(lines, String.join("\n", sent) + "\n");
            Cmd.Result produced = kcat(servers, scramLogin("app", app, ca), "-X", "acks=all", "-P", "-t", "it-outside", "-l", lines.toString());
            assertEquals(0, produced.exit(), "kcat -P with acks=all:\n" + produced.out());
            Cmd.Result consumed = kcat(servers, scramLogin("app", app, ca), "-C", "-t", "it-outside", "-o", "beginning", "-e", "-q");
            assertEquals(0, consumed.exit(), "kcat -C:\n" + consumed.out());
            List<String> read = consumed.out().lines().filter(l -> l.startsWith("kcat-")).toList();
            assertEquals(Set.copyOf(sent), Set.copyOf(read), "every record kcat produced from the Docker host is read back by it");
            assertEquals(sent.size(), read.size(), "each record once");
            Cmd.Result wrong = kcat(servers, scramLogin("app", app + "x", ca), "-L");
            assertTrue(wrong.exit() != 0 && wrong.out().contains("Authentication failed"), "kcat with a wrong password:\n" + wrong.out());
        } else {
            // the same kcat, the same addresses, the cluster's CA, host names verified: past TLS, to the login
            assertTrue(listed.out().contains("SASL authentication error") && !listed.out().contains("certificate verify failed")
                    && !listed.out().contains("security.protocol"), "kcat gets through TLS to the login:\n" + listed.out());
            System.out.println("outside from the Docker host: kcat's librdkafka (< 2.6.1) cannot log in to Kafka 4 (librdkafka#4895):"
                    + " its logins are not asked to succeed; the Java client's are");
        }
        // TLS with the CA and host names verified, no login: the broker hangs up on the first request
        Cmd.Result noLogin = kcat(servers, List.of("-X", "security.protocol=SSL", "-X", "ssl.ca.location=" + ca,
                "-X", "ssl.endpoint.identification.algorithm=https"), "-L");
        assertTrue(noLogin.exit() != 0 && !noLogin.out().contains(" at " + addresses.get(0))
                && !noLogin.out().contains("certificate verify failed"), "no login, no metadata on the outside listener:\n" + noLogin.out());
        // the same socket under a name the certificates do not hold: host name verification is on
        String byIp = "127.0.0.1:" + outsidePorts.values().iterator().next();
        Cmd.Result stranger = kcat(byIp, scramLogin("app", app, ca), "-L");
        assertTrue(stranger.exit() != 0 && stranger.out().contains("certificate verify failed"),
                "the right login at " + byIp + ", a name no broker's certificate holds:\n" + stranger.out());
        System.out.printf("outside from the Docker host (%s): 300 records produced with acks=all and read back by the Java client%s;"
                + " no login: %s; %s: %s%n", servers, kcatLogsIn ? " and 300 by kcat" : "", lastLine(noLogin.out()), byIp,
                firstLine(stranger.out(), "certificate verify failed"));
    }

    /** Kafka's Java client: SCRAM-SHA-512 over TLS with the cluster's CA, host names verified (written out, though the default). */
    private static Map<String, String> javaLogin(String user, String password, String ca) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", "SCRAM-SHA-512");
        p.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
                + password + "\";");
        p.put("ssl.truststore.type", "PEM");
        p.put("ssl.truststore.location", ca);
        p.put("ssl.endpoint.identification.algorithm", "https");
        return p;
    }

    /**
     * librdkafka before 2.6.1 sends a SCRAM client-final-message whose nonce Kafka 4 refuses (librdkafka#4895, as
     * KRaftClusterIT notes): every SCRAM login of such a kcat fails against Kafka 4, whatever the password. Debian
     * 12's kcat links librdkafka 2.0.2; Kafka 3.9 (ZooKeeper mode) takes its logins.
     */
    private static boolean kcatLogsInToKafka4() {
        var m = java.util.regex.Pattern.compile("librdkafka (\\d+)\\.(\\d+)\\.(\\d+)").matcher(Cmd.run(Duration.ofSeconds(10), "kcat", "-V").out());
        if (!m.find()) {
            return false;
        }
        int v = Integer.parseInt(m.group(1)) * 10000 + Integer.parseInt(m.group(2)) * 100 + Integer.parseInt(m.group(3));
        return v >= 20601;
    }

    /** librdkafka's SCRAM-SHA-512 login over TLS with the cluster's CA, host names verified. */
    private static List<String> scramLogin(String user, String password, String ca) {
        return List.of("-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanisms=SCRAM-SHA-512", "-X", "sasl.username=" + user,
                "-X", "sasl.password=" + password, "-X", "ssl.ca.location=" + ca, "-X", "ssl.endpoint.identification.algorithm=https");
    }

    /** kcat on this host (the Docker host), bounded: metadata within 15 s, the whole run within a minute. */
    private static Cmd.Result kcat(String bootstrap, List<String> security, String... args) {
        List<String> argv = new ArrayList<>(List.of("kcat", "-b", bootstrap, "-m", "15"));
        argv.addAll(security);
        argv.addAll(List.of(args));
        return Cmd.run(Duration.ofSeconds(60), argv);
    }

    /**
     * The example's outside address, {@code N+id}, each broker publishing {@code N+id:N+id}: checked here as
     * the example writes it, then moved to a base whose ports are all free on this host (the same scheme, a
     * different N), which {@link #runArgs} gives every container and publishes for each broker.
     */
    private static void moveOutsidePortsToAFreeBase() {
        String declared = compose.services().get(0).env("AGENT_EXTERNAL_PORT");
        if (declared == null) {
            return;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]+)\\+id").matcher(declared);
        assertTrue(m.matches(), "the example's AGENT_EXTERNAL_PORT '" + declared + "' is N+id (one host, a port per broker)");
        int exampleBase = Integer.parseInt(m.group(1));
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (ComposeFile.Service s : compose.services()) {
            if (s.env("AGENT_ROLE") != null && runsBroker(s.env("AGENT_ROLE"))) {
                int id = nodes.indexOf(new NodeEntry(s.env("AGENT_ROLE"), s.env("AGENT_FQDN"))) + 1;
                assertTrue(id > 0, s.name() + " is in AGENT_NODES");
                int port = exampleBase + id;
                assertEquals(List.of(port + ":" + port), s.ports(), s.name() + " publishes its outside port (node id " + id + ") as the same number");
                ids.put(s.name(), id);
            }
        }
        java.util.Random random = new java.util.Random();
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = 20_000 + random.nextInt(9_000);
            if (ids.values().stream().allMatch(id -> freeOnThisHost(base + id))) {
                outsidePortSpec = base + "+id";
                ids.forEach((service, id) -> outsidePorts.put(service, base + id));
                return;
            }
        }
        throw new AssertionError("no base in 20000..29000 with the outside ports of node ids " + ids.values() + " all free on this host");
    }

    private static boolean freeOnThisHost(int port) {
        try (java.net.ServerSocket s = new java.net.ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new java.net.InetSocketAddress(port));
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static String lastLine(String out) {
        return out.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("log4j:") && !l.startsWith("at "))
                .reduce((x, y) -> y).orElse("(no output)");
    }

    private static String firstLine(String out, String containing) {
        return out.lines().filter(l -> l.contains(containing)).findFirst().orElse("(no line with " + containing + ")").strip();
    }

    /** The password of {@code user} in the users file the example was given ({@code user:password[:role]} lines). */
    private static String password(String user) throws java.io.IOException {
        return java.nio.file.Files.readAllLines(secrets.resolve("users")).stream().filter(l -> l.startsWith(user + ":"))
                .findFirst().orElseThrow(() -> new AssertionError("no user " + user + " in the users file")).split(":")[1];
    }

    private static List<String> scram(String mechanism, String user, String password) {
        return List.of("security.protocol=SASL_SSL", "sasl.mechanism=" + mechanism,
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
                        + password + "\";",
                "ssl.truststore.type=PEM", "ssl.truststore.location=" + KafkaTools.CLIENT_DIR + "/ca.crt");
    }

    private static String brokerFqdn() {
        return nodes.stream().filter(n -> n.role().equals("broker")).findFirst().orElseThrow().fqdn();
    }

    /**
     * A key and a certificate naming {@code cn}, issued by a CA of its own (openssl, not the agent), as one PEM
     * key store {@code keystore.pem} in {@code dir}: what an impostor with the right name and the wrong CA holds.
     */
    private static void foreignCertificate(java.nio.file.Path dir, String cn) throws java.io.IOException {
        String sh = String.join(" && ",
                "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other-ca.key -out other-ca.crt -days 2"
                        + " -subj /CN=another-ca",
                "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout client.key -out client.csr -subj /CN=" + cn,
                "openssl x509 -req -in client.csr -CA other-ca.crt -CAkey other-ca.key -CAcreateserial -out client.crt -days 1",
                "cat client.key client.crt > keystore.pem", "rm other-ca.key client.csr");
        Docker.run(List.of("bash", "-c", sh), dir, Duration.ofMinutes(1)).ok();
        for (String f : List.of("keystore.pem", "client.key", "client.crt", "other-ca.crt")) {
            java.nio.file.Files.setAttribute(dir.resolve(f), "unix:uid", 1000);
        }
    }

    private static java.nio.file.Path rollSh() {
        return Examples.repoRoot().resolve("examples/" + example() + "/roll.sh");
    }

    private static String example() {
        return example;
    }

    // ------------------------------------------------------------------ helpers

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The agent's snapshot from HTTP {@code /status} (the same JSON as {@code agent status --json}). */
    private static JsonNode status(String container) {
        var r = Docker.agentHttp(container, "/status");
        if (r.status() != 200) {
            throw new AssertionError(container + ": GET /status answered " + r.status() + ": " + r.body());
        }
        try {
            return JSON.readTree(r.body());
        } catch (java.io.IOException e) {
            throw new AssertionError(container + ": /status is not JSON: " + r.body(), e);
        }
    }

    private static JsonNode broker(JsonNode status) {
        for (JsonNode svc : status.path("services")) {
            // ZooKeeper mode's broker or KRaft's
            if (List.of("kafka-broker", "kraft-broker").contains(svc.path("id").asText())) {
                return svc;
            }
        }
        throw new AssertionError("no kafka-broker or kraft-broker in agent status: " + status);
    }

    /**
     * The README's one step of a secured example: `agent ca init --out DIR --users app,ops:admin`, run in
     * the image (as its user, uid 1000, who must read the files) into a directory of the test.
     */
    private static java.nio.file.Path makeSecrets(String example) throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Path.of("target/docker-secrets", example).toAbsolutePath();
        dev.dockhand.it.lab.LabCluster.deleteTree(dir);
        java.nio.file.Files.createDirectories(dir);
        java.nio.file.Files.setAttribute(dir, "unix:uid", 1000);
        java.nio.file.Files.setAttribute(dir, "unix:gid", 1000);
        Docker.Result r = Docker.docker(Duration.ofMinutes(1), "run", "--rm", "--label", Docker.LABEL, "-v", dir + ":/secrets",
                "--entrypoint", "agent", image, "ca", "init", "--out", "/secrets", "--users", "app,ops:admin");
        assertEquals(0, r.exit(), "agent ca init in the image:\n" + r.all());
        // the README's second step: a node certificate for each node the example gives one as files (no CA key there)
        for (String name : compose.secrets().values()) {
            String file = java.nio.file.Path.of(name).getFileName().toString();
            if (file.endsWith(".crt") && !file.equals("ca.crt")) {
                Docker.Result issued = Docker.docker(Duration.ofMinutes(1), "run", "--rm", "--label", Docker.LABEL, "-v", dir + ":/secrets",
                        "--entrypoint", "agent", image, "ca", "issue", "--ca", "/secrets", "--out", "/secrets", "--name",
                        file.substring(0, file.length() - ".crt".length()));
                assertEquals(0, issued.exit(), "agent ca issue in the image:\n" + issued.all());
            }
        }
        for (String name : compose.secrets().values()) {
            java.nio.file.Path f = dir.resolve(java.nio.file.Path.of(name).getFileName().toString());
            assertTrue(java.nio.file.Files.isRegularFile(f), "the example's secret " + name + " was made: " + r.all());
        }
        return dir;
    }

    /** A directory for the tools' container: the cluster's CA and a client.properties of these lines. */
    private static java.nio.file.Path clientDir(String name, List<String> properties) throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Path.of("target/docker-client", example, name).toAbsolutePath();
        dev.dockhand.it.lab.LabCluster.deleteTree(dir);
        java.nio.file.Files.createDirectories(dir);
        java.nio.file.Files.copy(secrets.resolve("ca.crt"), dir.resolve("ca.crt"));
        writeClientConfig(dir, properties);
        // the tools' container runs as the image's user
        for (java.nio.file.Path p : List.of(dir, dir.resolve("ca.crt"))) {
            java.nio.file.Files.setAttribute(p, "unix:uid", 1000);
        }
        return dir;
    }

    private static void writeClientConfig(java.nio.file.Path dir, List<String> properties) throws java.io.IOException {
        java.nio.file.Path file = dir.resolve("client.properties");
        java.nio.file.Files.writeString(file, String.join("\n", properties) + "\n");
        java.nio.file.Files.setAttribute(file, "unix:uid", 1000);
    }

    /** docker run arguments for a compose service; name null = a --rm run in the foreground. */
    private static String[] runArgs(ComposeFile.Service s, String name, String fqdn, Map<String, String> extraEnv) {
        List<String> a = new ArrayList<>(List.of("run", "--label", Docker.LABEL, "--network", NETWORK, "--health-interval", "3s"));
        if (name != null) {
            a.addAll(List.of("-d", "--name", name, "--network-alias", s.containerName(), "--hostname", s.hostname()));
        } else {
            a.add("--rm");
        }
        Map<String, String> env = new LinkedHashMap<>(s.environment());
        env.put("AGENT_FQDN", fqdn);
        if (outsidePortSpec != null) {
            env.put("AGENT_EXTERNAL_PORT", outsidePortSpec);
        }
        env.putAll(extraEnv);
        env.forEach((k, v) -> a.addAll(List.of("-e", k + "=" + v)));
        for (String v : s.volumes()) {
            a.addAll(List.of("-v", NETWORK + "-" + v));
        }
        if (name != null && outsidePorts.containsKey(s.name())) {
            // on the loopback only: the host's clients are the test's, and the port is not offered to the machine's network
            int port = outsidePorts.get(s.name());
            a.addAll(List.of("-p", "127.0.0.1:" + port + ":" + port));
        }
        for (String secret : s.secrets()) {
            String file = java.nio.file.Path.of(compose.secrets().get(secret)).getFileName().toString();
            a.addAll(List.of("-v", secrets.resolve(file) + ":/run/secrets/" + secret + ":ro"));
        }
        if (s.memLimit() != null) {
            a.addAll(List.of("--memory", s.memLimit()));
        }
        if (s.healthCmd() != null) {
            // docker run's health command runs under `sh -c`: exec, so that the probe is the agent CLI itself, which
            // Docker kills when it outlasts its timeout (a killed sh would leave its JVM running, and on a loaded
            // host those pile up until the container's memory limit kills the node)
            a.addAll(List.of("--health-cmd", "exec " + s.healthCmd()));
        }
        a.addAll(List.of("--stop-timeout", String.valueOf(s.stopGracePeriod().toSeconds()), image));
        return a.toArray(String[]::new);
    }

    private static boolean runsBroker(String role) {
        String config = compose.services().get(0).env("AGENT_CLUSTER_CONFIG");
        List<String> services = Examples.servicesOf(Examples.catalog(), config, role);
        return services.contains("kafka-broker") || services.contains("kraft-broker") || services.contains("kraft-combined");
    }


    /** The container of the broker-role node at this position of AGENT_NODES (or the last broker-role node before it). */
    private static String brokerContainer(int index) {
        for (int i = index; i >= 0; i--) {
            if ("broker".equals(nodes.get(i).role())) {
                String fqdn = nodes.get(i).fqdn();
                return compose.services().stream().filter(s -> s.containerName().equals(fqdn)).map(s -> containers.get(s.name()))
                        .findFirst().orElseThrow();
            }
        }
        throw new AssertionError("no broker-role node in " + nodes);
    }

    private static ComposeFile.Service serviceOf(String container) {
        return compose.services().stream().filter(s -> containers.get(s.name()).equals(container)).findFirst().orElseThrow();
    }

    private static void awaitFullyReplicated() {
        Await.until("every partition fully replicated", Duration.ofMinutes(3), Duration.ofSeconds(2), () -> {
            String urp = kafka.underReplicated();
            assertTrue(urp.isEmpty(), "under-replicated:\n" + urp);
        });
    }
}
