package dev.dockhand.agent.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.protocol.AgentSnapshot;
import dev.dockhand.agent.protocol.AgentSnapshot.CertificateSnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

/** `agent status` shows the end of every CA the node trusts, which nothing renews. */
class StatusCaTest {
    @Test
    void eachTrustedCaIsShownWithItsEndAndNoRenewal() {
        long now = System.currentTimeMillis();
        long day = 86_400_000L;
        AgentSnapshot s = new AgentSnapshot("broker", 4, "b-1.k.test", "k", "kraft", 1, 0, 1_000, 1 << 20, "READY", true, List.of(),
                List.of(), List.of(), "tls", List.of(new CertificateSnapshot("node", "CN=b-1.k.test", "0a", now + 20 * day, now + 10 * day),
                        new CertificateSnapshot(CertificateSnapshot.CA, "CN=old CA,O=dockhand", "1f", now + 25 * day, 0)),
                null, null, 0);
        String out = StatusView.render(s, false);
        String line = out.lines().filter(l -> l.contains("CN=old CA")).findFirst().orElseThrow(() -> new AssertionError(out));
        assertTrue(line.startsWith("  trusted CA CN=old CA,O=dockhand, expires ") && line.matches(".*\\(in 2[45]d.*")
                && line.endsWith("serial 1f: no renewal, rotate it before then (docs/security.md)"), line);
        assertFalse(line.contains("renewal at"), line);
        assertTrue(out.contains("  node certificate CN=b-1.k.test, expires "), out);
    }
}
