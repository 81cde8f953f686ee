package dev.dockhand.agent.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.dockhand.agent.metadata.MetadataInputs;
import dev.dockhand.agent.render.RenderTestSupport;
import dev.dockhand.agent.security.ClusterCa;
import dev.dockhand.agent.security.Pem;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A secured broker's outside listener: secured as CLIENT is, its outside name in the node's certificate, renewed with the others. */
class OutsidePlanTest {
    static final ClusterCa CA = ClusterCa.create("kafka1 CA", Instant.now(), 365);
    FileSystem fs;

    @BeforeEach
    void files() throws IOException {
        fs = SecretsFs.of(CA);
    }

    void secret(String path, String text) throws IOException {
        SecretsFs.secret(fs, path, text);
    }

    NodePlan plan(String config, String nodes, String fqdn, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of("AGENT_NODES", nodes, "AGENT_FQDN", fqdn, "AGENT_CLUSTER_CONFIG", config,
                "AGENT_CLUSTER_NAME", "kafka1", "AGENT_JAVA", "/usr/bin/java", "AGENT_CA_CERT_FILE", "/run/secrets/ca.crt",
                "AGENT_CA_KEY_FILE", "/run/secrets/ca.key", "AGENT_USERS_FILE", "/run/secrets/users"));
        env.putAll(extra);
        var resolved = PlanReader.resolve(new PlanInputs("/etc/agent/templates/catalog.json", null, null, "/data/" + fqdn,
                "/opt/dockhand", MetadataInputs.none(), 9800), env, fs, RenderTestSupport.noHost(), RenderTestSupport.JAVA_HOME,
                java.time.Instant.now());
        return Planner.plan(PlanReader.read(resolved, env, PlannerTest.FOUR_GIB, java.time.Instant.now()));
    }

    static Properties props(String text) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(text));
        return p;
    }

    static List<String> sans(NodePlan p) throws Exception {
        return p.certificates().node().certificate().getSubjectAlternativeNames().stream().map(l -> String.valueOf(l.get(1))).toList();
    }

    @Test
    void aSecuredZooKeeperModeBrokerServesItsOutsideAddressWithTlsAndLoginsUnderItsOutsideName() throws Exception {
        NodePlan p = plan("production", RenderTestSupport.NODES, "broker-2.kafka1.example",
                Map.of("AGENT_EXTERNAL_HOST", "kafka-{id}.outside.example", "AGENT_EXTERNAL_PORT", "19092+id"));
        Properties server = props(SecuredPlanTest.file(p, "kafka-broker/server.properties"));
        assertEquals("CLIENT://broker-2.kafka1.example:9092,INTERNAL://broker-2.kafka1.example:9091,EXTERNAL://kafka-5.outside.example:19097",
                server.getProperty("advertised.listeners"));
        assertEquals("CLIENT://0.0.0.0:9092,INTERNAL://0.0.0.0:9091,EXTERNAL://0.0.0.0:19097", server.getProperty("listeners"));
        assertEquals("CLIENT:SASL_SSL,INTERNAL:SSL,EXTERNAL:SASL_SSL", server.getProperty("listener.security.protocol.map"));
        assertEquals("org.apache.kafka.common.security.scram.ScramLoginModule required;",
                server.getProperty("listener.name.external.scram-sha-512.sasl.jaas.config"));
        assertEquals("600000", server.getProperty("listener.name.external.connections.max.reauth.ms"),
                "an outside login lasts no longer than CLIENT's: a changed password ends the session");
        assertEquals("https", server.getProperty("ssl.endpoint.identification.algorithm"));
        assertEquals(List.of("broker-2.kafka1.example", "kafka-5.outside.example"), sans(p));
        List<String> renewal = p.services().stream().filter(s -> s.id().equals("kafka-broker")).findFirst().orElseThrow().command().certRenewal();
        assertTrue(renewal.get(renewal.size() - 1).endsWith(
                ",listener.name.external.ssl.keystore.location=/data/broker-2.kafka1.example/conf/tls/node.pem"), renewal.toString());
    }

    @Test
    void aSecuredKraftBrokerToo_andAnIpBecomesAnIpName() throws Exception {
        String nodes = "controller=c-1.k.test,c-2.k.test,c-3.k.test;broker=b-1.k.test,b-2.k.test,b-3.k.test;schemareg=s.k.test";
        NodePlan p = plan("kraft", nodes, "b-1.k.test", Map.of("AGENT_EXTERNAL_HOST", "198.51.100.7", "AGENT_EXTERNAL_PORT", "30000+id"));
        Properties server = props(SecuredPlanTest.file(p, "kraft-broker/server.properties"));
        assertEquals("CLIENT:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL,EXTERNAL:SASL_SSL", server.getProperty("listener.security.protocol.map"));
        assertTrue(server.getProperty("advertised.listeners").endsWith(",EXTERNAL://198.51.100.7:30004"), server.getProperty("advertised.listeners"));
        assertEquals("600000", server.getProperty("listener.name.external.connections.max.reauth.ms"));
        assertEquals(List.of("b-1.k.test", "198.51.100.7"), sans(p));
        // a controller has no outside name
        assertEquals(List.of("c-1.k.test"), sans(plan("kraft", nodes, "c-1.k.test",
                Map.of("AGENT_EXTERNAL_HOST", "198.51.100.7", "AGENT_EXTERNAL_PORT", "30000+id"))));
    }
}
