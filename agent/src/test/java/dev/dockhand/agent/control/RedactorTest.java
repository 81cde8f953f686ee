package dev.dockhand.agent.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.protocol.AgentSnapshot.DependencySnapshot;
import dev.dockhand.agent.protocol.AgentSnapshot.ProbeSnapshot;
import dev.dockhand.agent.protocol.AgentSnapshot;
import dev.dockhand.agent.protocol.ServiceState;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedactorTest {
    @Test
    void masksAssignmentsOfSecretLookingKeys() {
        assertEquals("ssl.keystore.password=**** log.dirs=/data",
                Redactor.redact("ssl.keystore.password=s3cret log.dirs=/data"));
        assertEquals("java -Djavax.net.ssl.trustStorePassword=**** -Xmx256m kafka.Kafka",
                Redactor.redact("java -Djavax.net.ssl.trustStorePassword=changeit -Xmx256m kafka.Kafka"));
        assertEquals("API_TOKEN: ****, user: bob", Redactor.redact("API_TOKEN: abc123, user: bob"));
        assertEquals("{\"client_secret\":\"****\",\"id\":\"x\"}", Redactor.redact("{\"client_secret\":\"xyz\",\"id\":\"x\"}"));
        assertEquals("aws_credentials='****'", Redactor.redact("aws_credentials='AKIA:zzz'"));
        assertEquals("signing.key=****", Redactor.redact("signing.key=-----BEGIN"));
    }

    @Test
    void masksAJaasValueToTheEndOfItsLine() {
        String line = "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p4ss\";\nnext=1";
        String out = Redactor.redact(line);
        assertEquals("sasl.jaas.config=****\nnext=1", out);
    }

    @Test
    void masksTheValueAfterASecretFlag() {
        assertEquals("connect --password **** --user bob", Redactor.redact("connect --password hunter2 --user bob"));
        assertEquals("tool -token **** -v", Redactor.redact("tool -token abc -v"));
    }

    @Test
    void leavesOrdinaryTextAlone() {
        for (String s : List.of("Mode: leader", "connection refused", "waiting for zookeeper (2/3 answered)",
                "exited with code 143", "listeners=PLAINTEXT://broker-1:9092")) {
            assertEquals(s, Redactor.redact(s));
        }
        assertNull(Redactor.redact((String) null));
    }

    @Test
    void namesKeysThatLookSecret() {
        for (String k : List.of("password", "SSL_KEYSTORE_PASSWORD", "sasl.jaas.config", "ssl.key.password", "api-token",
                "client.secret", "credentials.file")) {
            assertTrue(Redactor.isSecretKey(k), k);
        }
        for (String k : List.of("log.dirs", "broker.id", "listeners", "zookeeper.connect")) {
            assertFalse(Redactor.isSecretKey(k), k);
        }
        assertEquals(Redactor.MASK, dev.dockhand.agent.core.SecretText.value("ssl.truststore.password", "x"));
        assertEquals("/data", dev.dockhand.agent.core.SecretText.value("log.dirs", "/data"));
    }

    @Test
    void redactsEveryFreeTextFieldOfASnapshot() {
        AgentSnapshot s = new AgentSnapshot("broker", 1, "b", "c", "default", 1, 0, 0, 0, "DEGRADED", false,
                List.of(new AgentSnapshot.ServiceSnapshot("kafka", ServiceState.FAILED, "exited: run --password hunter2", 0, 0, 3,
                        List.of(9092), new ProbeSnapshot(false, "auth failed for secret=hunter2", 1, 1))),
                List.of(new DependencySnapshot("zookeeper", List.of("zk"), false, "digest token=hunter2 rejected")),
                List.of("/etc/kafka/server.properties"));
        AgentSnapshot r = Redactor.redact(s);
        String all = r.toString();
        assertFalse(all.contains("hunter2"), all);
        assertEquals("exited: run --password ****", r.services().get(0).reason());
        assertEquals("auth failed for secret=****", r.services().get(0).lastProbe().detail());
        assertEquals("digest token=**** rejected", r.dependencies().get(0).detail());
        assertEquals(s.services().get(0).ports(), r.services().get(0).ports());
    }
}
