package dev.dockhand.agent.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.dockhand.agent.core.InvalidInputException;
import dev.dockhand.agent.metadata.MetadataInputs;
import dev.dockhand.agent.render.RenderTestSupport;
import dev.dockhand.agent.security.ClusterCa;
import dev.dockhand.agent.security.Pem;
import dev.dockhand.agent.testing.Need;
import dev.dockhand.agent.testing.OutsidePki;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a secured node trusts and presents: every CA of AGENT_CA_CERT_FILE in every rendered trust
 * store, and a node certificate given as files (cert-manager's way) in place of the CA key.
 */
class TrustPlanTest {
    static final ClusterCa OLD = ClusterCa.create("old CA", Instant.now(), 365);
    static final ClusterCa NEW = ClusterCa.create("new CA", Instant.now(), 730);
    static final String KRAFT_NODES = "controller=c-1.k.test,c-2.k.test,c-3.k.test;broker=b-1.k.test,b-2.k.test,b-3.k.test;"
            + "schemareg=sr-1.k.test;gateway=gw-1.k.test";
    FileSystem fs;
    @TempDir
    Path real;

    @BeforeEach
    void files() throws IOException {
        fs = SecretsFs.of(null);
    }

    void secret(String path, String text) throws IOException {
        SecretsFs.secret(fs, path, text);
    }

    /** The production config's node {@code fqdn}, or a kraft node when {@code fqdn} ends in k.test. */
    Map<String, String> env(String fqdn, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(RenderTestSupport.env(fqdn, Map.of()));
        env.remove("AGENT_SECURITY");
        if (fqdn.endsWith(".k.test")) {
            env.putAll(Map.of("AGENT_NODES", KRAFT_NODES, "AGENT_CLUSTER_CONFIG", "kraft", "AGENT_CLUSTER_NAME", "kafka1"));
        }
        env.put("AGENT_JAVA", "/usr/bin/java");
        env.putAll(Map.of("AGENT_CA_CERT_FILE", "/run/secrets/ca.crt", "AGENT_USERS_FILE", "/run/secrets/users"));
        env.putAll(extra);
        return env;
    }

    NodePlan plan(Map<String, String> env) {
        return Planner.plan(PlanReader.read(resolve(env), env, PlannerTest.FOUR_GIB, Instant.now()));
    }

    Planner.Resolved resolve(Map<String, String> env) {
        return SecretsFs.resolve(fs, env);
    }

    static final Map<String, String> CA_KEY = Map.of("AGENT_CA_KEY_FILE", "/run/secrets/ca.key");
    static final Map<String, String> GIVEN = Map.of("AGENT_TLS_CERT_FILE", "/run/tls/tls.crt", "AGENT_TLS_KEY_FILE", "/run/tls/tls.key");

    @Test
    void everyCaOfTheBundleIsInEveryTrustStoreAndTheCaWhoseKeyIsGivenIssues() throws IOException {
        secret("/run/secrets/ca.crt", Pem.certificate(OLD.certificate()) + Pem.certificate(NEW.certificate()));
        secret("/run/secrets/ca.key", Pem.privateKey(NEW.key()));
        String bundle = Pem.certificate(OLD.certificate()) + Pem.certificate(NEW.certificate());
        for (String fqdn : List.of("broker-1.kafka1.example", "zk-1.kafka1.example", "sr-1.kafka1.example", "gw-1.kafka1.example",
                "c-1.k.test", "b-1.k.test")) {
            NodePlan p = plan(env(fqdn, CA_KEY));
            assertEquals(bundle, SecuredPlanTest.file(p, "tls/ca.crt"), fqdn + ": the file every rendered trust store names");
            assertEquals(NEW.certificate(), p.certificates().node().ca(), fqdn + ": issued by the CA whose key is given, the second");
            assertEquals(List.of(OLD.certificate(), NEW.certificate()), p.certificates().trust().cas());
            assertTrue(p.explain().stream().anyMatch(e -> e.token().equals("trusted CA 2 of 2") && e.value().contains("issues this node's")),
                    fqdn);
        }
        // the trust stores that read it: Kafka's, ZooKeeper's, the console's, the tools'
        NodePlan broker = plan(env("broker-1.kafka1.example", CA_KEY));
        assertTrue(SecuredPlanTest.file(broker, "kafka-broker/server.properties").contains("ssl.truststore.location=" + tls(broker) + "/ca.crt"));
        assertTrue(SecuredPlanTest.file(plan(env("zk-1.kafka1.example", CA_KEY)), "zoo.cfg").contains("ssl.quorum.trustStore.location="));
    }

    private static String tls(NodePlan p) {
        return p.files().stream().filter(f -> f.target().toString().endsWith("tls/ca.crt")).findFirst().orElseThrow().target().getParent()
                .toString();
    }

    @Test
    void aNodeGivenNeitherTheCaKeyNorCertificateFilesRefusesNamingBoth() throws IOException {
        secret("/run/secrets/ca.crt", Pem.certificate(OLD.certificate()));
        List<String> p = assertThrows(InvalidInputException.class, () -> resolve(env("b-1.k.test", Map.of()))).problems();
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).contains("set AGENT_CA_KEY_FILE (or AGENT_TLS_CERT_FILE and AGENT_TLS_KEY_FILE)"), p.get(0));
        p = assertThrows(InvalidInputException.class, () -> resolve(env("b-1.k.test", Map.of("AGENT_TLS_CERT_FILE", "/run/tls/tls.crt"))))
                .problems();
        assertTrue(p.stream().anyMatch(x -> x.contains("env AGENT_TLS_CERT_FILE is set but not AGENT_TLS_KEY_FILE")), p.toString());
    }

    /** cert-manager's files for {@code fqdn} under /run/tls, its root as AGENT_CA_CERT_FILE; no CA key anywhere. */
    OutsidePki given(OutsidePki pki, String fqdn, String file) throws IOException {
        Path[] pair = pki.node(file, fqdn);
        secret("/run/secrets/ca.crt", Files.readString(pki.rootCrt));
        secret("/run/tls/tls.crt", Files.readString(pair[0]));
        secret("/run/tls/tls.key", Files.readString(pair[1]));
        return pki;
    }

    @Test
    void aKraftNodeGivenItsCertificateAsFilesPresentsThemAndHoldsNoCaKeyAndARenewalReadsThemAgain() throws IOException {
        Need.that(OutsidePki.available(), () -> "the openssl command");
        OutsidePki pki = given(new OutsidePki(real, "corp"), "b-1.k.test", "b1");
        Map<String, String> env = env("b-1.k.test", GIVEN);
        NodePlan p = plan(env);
        assertEquals(Files.readString(fs.getPath("/run/tls/tls.crt")), SecuredPlanTest.file(p, "tls/node.crt"), "leaf and intermediate");
        assertEquals(Files.readString(fs.getPath("/run/tls/tls.key")), SecuredPlanTest.file(p, "tls/node.key"));
        assertEquals(Files.readString(pki.rootCrt), SecuredPlanTest.file(p, "tls/ca.crt"));
        assertNotNull(p.certificates().given());
        assertNull(p.certificates().zooKeeperClient());
        assertTrue(p.files().stream().noneMatch(f -> f.content().contains("BEGIN PRIVATE KEY") && !f.target().toString().endsWith("node.key")
                && !f.target().toString().endsWith("node.pem")), "no other key rendered");
        assertTrue(p.explain().stream().anyMatch(e -> e.token().equals("node certificate") && e.source().contains("given as files")));
        // the reload keeps it, the files renewed by their issuer are taken at the next renewal's plan
        NodePlan reload = Planner.plan(PlanReader.read(resolve(env), env, PlannerTest.FOUR_GIB, Instant.now()), p.certificates(), false);
        assertEquals(p.certificates(), reload.certificates());
        given(pki, "b-1.k.test", "b1-renewed");
        NodePlan renewed = Planner.plan(PlanReader.read(resolve(env), env, PlannerTest.FOUR_GIB, Instant.now()), p.certificates(), true);
        assertNotEquals(p.certificates().node().certificate(), renewed.certificates().node().certificate());
        assertEquals(Files.readString(fs.getPath("/run/tls/tls.crt")), SecuredPlanTest.file(renewed, "tls/node.crt"));
    }

    @Test
    void givenFilesForAnotherNodeAreRefusedAtStartNamingTheFile() throws IOException {
        Need.that(OutsidePki.available(), () -> "the openssl command");
        given(new OutsidePki(real, "corp"), "b-2.k.test", "b2");
        List<String> p = assertThrows(InvalidInputException.class, () -> resolve(env("b-1.k.test", GIVEN))).problems();
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("node certificate /run/tls/tls.crt (env AGENT_TLS_CERT_FILE) (subject CN=b-2.k.test) does not name "
                + "b-1.k.test"), p.get(0));
    }

    @Test
    void aGivenCertificateWithoutTheBrokersOutsideNameIsRefusedNamingTheNameAndTheFile() throws IOException {
        Need.that(OutsidePki.available(), () -> "the openssl command");
        Map<String, String> outside = new HashMap<>(GIVEN);
        outside.putAll(Map.of("AGENT_EXTERNAL_HOST", "{host}.outside.example", "AGENT_EXTERNAL_PORT", "9094"));
        OutsidePki pki = given(new OutsidePki(real, "corp"), "b-1.k.test", "b1");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> plan(env("b-1.k.test", outside)));
        assertTrue(e.getMessage().startsWith("node certificate /run/tls/tls.crt (env AGENT_TLS_CERT_FILE) does not name this broker's "
                + "outside name b-1.outside.example (AGENT_EXTERNAL_HOST; its SANs: b-1.k.test)"), e.getMessage());
        // issued with the outside name too, the same files are taken
        Path[] pair = pki.node("b1-outside", new String[] {"b-1.k.test", "b-1.outside.example"});
        secret("/run/tls/tls.crt", Files.readString(pair[0]));
        secret("/run/tls/tls.key", Files.readString(pair[1]));
        assertNotNull(plan(env("b-1.k.test", outside)).certificates().given());
    }

    @Test
    void inAZooKeeperClusterTheRegistryAndConsoleNeedNoCaKeyButABrokerDoesForItsSharedZooKeeperIdentity() throws IOException {
        Need.that(OutsidePki.available(), () -> "the openssl command");
        OutsidePki pki = given(new OutsidePki(real, "corp"), "sr-1.kafka1.example", "sr1");
        NodePlan registry = plan(env("sr-1.kafka1.example", GIVEN));
        assertEquals(Files.readString(fs.getPath("/run/tls/tls.crt")), SecuredPlanTest.file(registry, "tls/node.crt"));
        given(pki, "gw-1.kafka1.example", "gw1");
        assertNotNull(plan(env("gw-1.kafka1.example", GIVEN)).certificates().given());
        given(pki, "broker-1.kafka1.example", "broker1");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> plan(env("broker-1.kafka1.example", GIVEN)));
        assertTrue(e.problems().get(0).startsWith("a broker of a cluster with ZooKeeper needs the CA's key (AGENT_CA_KEY_FILE)"),
                e.problems().toString());
    }
}
