package dev.dockhand.agent.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.protocol.AgentSnapshot;
import dev.dockhand.agent.protocol.AgentSnapshot.CertificateSnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

/** /metrics shows the end of every CA the node trusts, apart from the node's own certificates, which the agent renews. */
class MetricsCaExpiryTest {
    @Test
    void everyTrustedCaHasItsOwnSeriesBySubjectAndSerial() {
        long now = System.currentTimeMillis();
        long day = 86_400_000L;
        AgentSnapshot s = new AgentSnapshot("broker", 4, "b-1.k.test", "k", "kraft", 1, 0, 1_000, 1 << 20, "READY", true, List.of(),
                List.of(), List.of(), "tls", List.of(new CertificateSnapshot("node", "CN=b-1.k.test", "0a", now + 20 * day, now + 10 * day),
                        new CertificateSnapshot(CertificateSnapshot.CA, "CN=old CA,O=dockhand", "1f", now + 25 * day, 0),
                        new CertificateSnapshot(CertificateSnapshot.CA, "CN=new \"CA\",O=dockhand", "2e", now + 700 * day, 0)),
                null, null, 0);
        String metrics = Metrics.render(s);
        var samples = PrometheusTextCheck.parse(metrics);
        var node = samples.stream().filter(x -> x.name().equals("dockhand_certificate_expiry_seconds")).toList();
        assertEquals(1, node.size(), metrics);
        var cas = samples.stream().filter(x -> x.name().equals("dockhand_ca_expiry_seconds")).toList();
        assertEquals(2, cas.size(), metrics);
        assertEquals("CN=old CA,O=dockhand", cas.get(0).labels().get("subject"));
        assertEquals("1f", cas.get(0).labels().get("serial"));
        assertEquals(25 * 86_400.0, cas.get(0).value(), 120.0);
        assertEquals("CN=new \"CA\",O=dockhand", cas.get(1).labels().get("subject"), "escaped and read back");
        assertTrue(metrics.contains("# TYPE dockhand_ca_expiry_seconds gauge\n"), metrics);
    }
}
