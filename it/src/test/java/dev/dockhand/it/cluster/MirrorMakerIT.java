package dev.dockhand.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dockhand.it.lab.Await;
import dev.dockhand.it.lab.Cmd;
import dev.dockhand.it.lab.Kafka;
import dev.dockhand.it.lab.LabCluster;
import dev.dockhand.it.lab.LabCluster.NodeSpec;
import dev.dockhand.it.lab.LabNet;
import dev.dockhand.it.lab.LabNode;
import dev.dockhand.it.lab.Need;
import dev.dockhand.it.lab.Procs;
import dev.dockhand.it.lab.Timing;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * MirrorMaker 2 between two dockhand clusters, as a user runs it: two KRaft dev stacks
 * ({@code kraft-single-node}, each its own cluster with its own name, id and quorum) in namespaces of their own,
 * a {@code MirrorSourceConnector} created over the target's Connect REST API, and the mirrored topic read on the
 * target by kcat (librdkafka, nobody's code here). Records written to the source before the connector, while it
 * runs and while the target's worker is killed with {@code kill -9} all arrive: the worker's offsets say where
 * to go on (MirrorMaker 2 delivers at least once: a record sent again after the kill is counted, not refused).
 */
class MirrorMakerIT {
    static final String SOURCE = "east-1";
    static final String TARGET = "west-1";
    static final String TOPIC = "orders";
    /** DefaultReplicationPolicy's name on the target: the source cluster's alias, a dot, the topic. */
    static final String MIRRORED = "east." + TOPIC;
    static final String CONNECTOR = "mirror-east";
    static final ObjectMapper JSON = new ObjectMapper();

    static NodeSpec stack(String name) {
        NodeSpec dev = LabCluster.kraftSingleNode().get(0);
        Map<String, String> env = new HashMap<>(dev.env());
        // each node its own cluster: its own name (and so its own cluster id) and a node list of itself alone
        env.put("AGENT_CLUSTER_NAME", name.substring(0, name.indexOf('-')));
        env.put("AGENT_NODES", "standalone=" + LabNet.fqdn(name));
        return new NodeSpec(name, dev.role(), dev.memoryMb(), env);
    }

    @Test
    void mirrorsATopicBetweenTwoClustersAndSurvivesAKilledWorker() throws Exception {
        String why = LabCluster.unsupportedReason();
        Need.that(why == null, () -> "two kraft-single-node clusters in network namespaces: " + why);
        Need.tool("kcat", "kcat");
        try (LabCluster lab = new LabCluster(List.of(stack(SOURCE), stack(TARGET)), "kraft-single-node",
                Path.of("target/mirror-maker").toAbsolutePath())) {
            lab.startAll();
            for (LabNode n : lab.nodes()) {
                Timing.awaitValue(n.name() + " ready", Duration.ofMinutes(5), Duration.ofMillis(250),
                        () -> lab.readyOrExited(n) ? Boolean.TRUE : null, lab::describe);
            }
            LabNode source = lab.node(SOURCE);
            LabNode target = lab.node(TARGET);
            String sourceBootstrap = source.fqdn() + ":9092";
            String targetBootstrap = target.fqdn() + ":9092";
            try (Kafka east = new Kafka(sourceBootstrap); Kafka west = new Kafka(targetBootstrap)) {
                String eastId = east.admin().describeCluster().clusterId().get(60, java.util.concurrent.TimeUnit.SECONDS);
                String westId = west.admin().describeCluster().clusterId().get(60, java.util.concurrent.TimeUnit.SECONDS);
                assertNotEquals(eastId, westId, "two clusters, not one: their ids");

                east.createTopic(TOPIC, 3, 1, 1);
                Set<String> sent = new TreeSet<>(produced(east, "before", 300));

                ObjectNode mm2 = JSON.createObjectNode().put("name", CONNECTOR);
                mm2.putObject("config")
                        .put("connector.class", "org.apache.kafka.connect.mirror.MirrorSourceConnector")
                        .put("tasks.max", "1")
                        .put("source.cluster.alias", "east")
                        .put("target.cluster.alias", "west")
                        .put("source.cluster.bootstrap.servers", sourceBootstrap)
                        .put("target.cluster.bootstrap.servers", targetBootstrap)
                        .put("topics", TOPIC)
                        .put("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter")
                        .put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter")
                        // one broker in each cluster
                        .put("replication.factor", "1")
                        .put("offset-syncs.topic.replication.factor", "1")
                        // the dev stacks run no authorizer: nothing to copy, and asking would only log errors
                        .put("sync.topic.acls.enabled", "false");
                HttpResponse<String> created = http(target, "POST", "/connectors", JSON.writeValueAsString(mm2));
                assertEquals(201, created.statusCode(), created.body());
                awaitRunning(target);
                assertMirrored(lab.net(), target, sent, "the records written before the connector");

                sent.addAll(produced(east, "while-running", 200));
                assertMirrored(lab.net(), target, sent, "the records written while it runs");

                // the worker's config file names it on its command line, whichever main class starts it
                long worker = target.serviceProcess("connect/connect-distributed.properties")
                        .orElseThrow(() -> new AssertionError("no Connect worker under " + TARGET + "'s agent"));
                assertTrue(Procs.signal(worker, "KILL"), "kill -9 " + worker);
                // written while the worker is down or coming back
                sent.addAll(produced(east, "during-kill", 200));
                Await.until(TARGET + "'s agent to restart its Connect worker and see it ready", Duration.ofSeconds(240), () -> {
                    JsonNode connect = target.service("connect");
                    assertTrue(connect != null, TARGET + " lists no connect service");
                    assertEquals("READY", connect.path("state").asText(), connect.toString());
                    assertTrue(connect.path("restarts").asInt() >= 1, connect.toString());
                });
                awaitRunning(target);
                List<String> all = assertMirrored(lab.net(), target, sent, "every record, after the worker's kill -9");
                System.out.printf("MirrorMakerIT: %d records written to east's %s, %d read from west's %s (%d sent again after the kill)%n",
                        sent.size(), TOPIC, all.size(), MIRRORED, all.size() - new HashSet<>(all).size());
            }
        }
    }

    static Set<String> produced(Kafka kafka, String prefix, int count) {
        Kafka.Produced p = kafka.produce(TOPIC, prefix, count);
        assertEquals(List.of(), p.errors(), prefix);
        assertEquals(count, p.acked().size(), prefix);
        return p.acked();
    }

    static HttpResponse<String> http(LabNode n, String method, String path, String body) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + n.fqdn() + ":8083" + path))
                .timeout(Duration.ofSeconds(60)).header("Accept", "application/json");
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Until the connector and its one task say RUNNING on {@code n}'s worker. */
    static void awaitRunning(LabNode n) {
        Await.until("connector " + CONNECTOR + " and its task RUNNING", Duration.ofSeconds(180), () -> {
            HttpResponse<String> st = http(n, "GET", "/connectors/" + CONNECTOR + "/status", null);
            assertEquals(200, st.statusCode(), st.body());
            JsonNode s = JSON.readTree(st.body());
            assertEquals("RUNNING", s.path("connector").path("state").asText(), st.body());
            assertEquals(1, s.path("tasks").size(), st.body());
            assertEquals("RUNNING", s.path("tasks").get(0).path("state").asText(), st.body());
        });
    }

    /** Until kcat, in the target's namespace, reads every value of {@code sent} from the mirrored topic; returns all it read. */
    static List<String> assertMirrored(LabNet net, LabNode target, Set<String> sent, String what) {
        List<List<String>> last = new java.util.ArrayList<>();
        Await.until(what + " on west's " + MIRRORED, Duration.ofSeconds(180), () -> {
            Cmd.Result r = Cmd.run(Duration.ofSeconds(60), net.exec(target.name(), "kcat", "-C", "-q", "-e",
                    "-b", target.fqdn() + ":9092", "-t", MIRRORED, "-o", "beginning", "-f", "%s\\n")).check();
            List<String> got = r.out().lines().toList();
            last.clear();
            last.add(got);
            Set<String> missing = new TreeSet<>(sent);
            got.forEach(missing::remove);
            assertEquals(Set.of(), missing.size() > 10 ? Set.of(missing.size() + " missing, first " + missing.iterator().next()) : missing,
                    "records of east's " + TOPIC + " not on west's " + MIRRORED);
        });
        return last.get(0);
    }
}
