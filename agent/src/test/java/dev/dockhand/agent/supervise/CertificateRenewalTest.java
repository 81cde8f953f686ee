package dev.dockhand.agent.supervise;

import static dev.dockhand.agent.supervise.TestPlans.plan;
import static dev.dockhand.agent.supervise.TestPlans.svc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.catalog.Security;
import dev.dockhand.agent.core.InvalidInputException;
import dev.dockhand.agent.plan.NodePlan;
import dev.dockhand.agent.plan.NodeSecurity;
import dev.dockhand.agent.security.ClusterCa;
import dev.dockhand.agent.security.GivenTls;
import dev.dockhand.agent.security.NodeTls;
import dev.dockhand.agent.security.TrustBundle;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A secured node renews its certificates while it runs: a broker by its renewal command, the other services by a restart. */
class CertificateRenewalTest {
    static final Duration LIFETIME = Duration.ofMinutes(9);
    final ManualLoop loop = new ManualLoop();
    final FakeLauncher launcher = new FakeLauncher(loop);
    final FakeProbes probes = new FakeProbes(loop);
    final ClusterCa ca = ClusterCa.create("test CA", Instant.ofEpochMilli(loop.epochMillis()), 30);
    int renewals;
    boolean renewalFails;
    Supervisor supervisor;

    /** Set when the node's certificate is given as files: the pair the files hold now. */
    GivenTls given;
    NodeTls inFiles;

    NodePlan secured(NodePlan p, Instant issuedAt) {
        NodeTls node = given != null ? inFiles : NodeTls.issue(ca, "b-2.test", null, List.of("b-2.test"), issuedAt, LIFETIME);
        return new NodePlan(p.node(), p.identity(), p.services(), p.files(), p.explain(), p.sizing(), p.dataDir(), p.catalogPath(),
                Security.TLS, given != null ? new NodeSecurity.Certificates(node, null, new TrustBundle(List.of(ca.certificate())), given)
                        : new NodeSecurity.Certificates(node, null));
    }

    /** The PKI outside renews the node's pair: new files (written as cert-manager's CSI driver would). */
    void filesRenewed() throws java.io.IOException {
        inFiles = NodeTls.issue(ca, "b-2.test", null, List.of("b-2.test"), Instant.ofEpochMilli(loop.epochMillis()), LIFETIME);
        java.nio.file.Files.writeString(given.certFile(), inFiles.chainPem());
    }

    String serial() {
        return supervisor.snapshot().certificates().get(0).serial();
    }

    void start(NodePlan base) {
        NodePlan first = secured(base, Instant.ofEpochMilli(loop.epochMillis()));
        NodePlan.Replanner replanner = new NodePlan.Replanner() {
            @Override
            public NodePlan.Replan replan() {
                throw new InvalidInputException("no reload in this test");
            }

            @Override
            public NodePlan.Replan renew() {
                renewals++;
                if (renewalFails) {
                    throw new InvalidInputException("CA certificate /run/secrets/ca.crt (env AGENT_CA_CERT_FILE) does not exist");
                }
                return new NodePlan.Replan(secured(base, Instant.ofEpochMilli(loop.epochMillis())), Set.of());
            }
        };
        supervisor = new Supervisor(first, launcher, probes, replanner, loop, 1, () -> 30L << 20);
        supervisor.start();
        loop.runPending();
    }

    /** When the node renews: two thirds of the lifetime after the issue, plus this node's stagger. */
    Duration untilRenewal() {
        return LIFETIME.multipliedBy(2).dividedBy(3).plus(CertificateRenewal.stagger(TestPlans.NODE.nodeId(), LIFETIME));
    }

    @Test
    void aBrokerRunsItsRenewalCommandAndKeepsRunningWhileTheOtherServicesRestart() {
        probes.pass("zk");
        probes.pass("kafka");
        probes.pass("kafka certificate renewal");
        start(plan(svc("zk"), svc("kafka").waits("zk").renewedBy("kafka-configs", "--alter")));
        assertEquals(List.of("launch zk", "launch kafka"), launcher.events);
        String before = serial();
        assertEquals("tls", supervisor.snapshot().security());

        loop.advance(untilRenewal().minusSeconds(1));
        assertEquals(0, renewals, "not before its time");
        loop.advance(Duration.ofSeconds(2));
        assertEquals(1, renewals);
        assertNotEquals(before, serial(), "the snapshot shows the renewed certificate");
        assertEquals(1, probes.count("kafka certificate renewal"), probes.asked.toString());
        assertTrue(launcher.events.contains("signal zk TERM"), "zk restarts to read its renewed files: " + launcher.events);
        assertFalse(launcher.events.stream().anyMatch(e -> e.startsWith("signal kafka")), "the broker is not stopped: " + launcher.events);

        // and again at the renewed certificates' own renewal time
        loop.advance(untilRenewal().plusSeconds(2));
        assertEquals(2, renewals);
    }

    @Test
    void aFailedRenewalCommandFallsBackToARestart() {
        probes.pass("kafka");
        probes.fail("kafka certificate renewal", "probe command: exit 1");
        start(plan(svc("kafka").renewedBy("kafka-configs", "--alter")));
        loop.advance(untilRenewal().plusSeconds(1));
        assertEquals(1, renewals);
        assertTrue(launcher.events.contains("signal kafka TERM"), launcher.events.toString());
    }

    @Test
    void theRenewalIsPlannedOffTheLoopAndAReloadMeanwhileIsRefused() {
        probes.pass("zk");
        start(plan(svc("zk")));
        String before = serial();
        probes.hangNext(CertificateRenewal.TARGET); // the renewal's planning is still under way
        loop.advance(untilRenewal().plusSeconds(1));
        assertEquals(0, renewals, "not on the loop");
        assertEquals(before, serial(), "the loop keeps answering with the current certificates");
        var reload = supervisor.reload();
        assertFalse(reload.ok(), reload.message());
        assertTrue(reload.message().contains("certificates are being renewed"), reload.message());
        assertEquals(List.of("launch zk"), launcher.events);
    }

    @Test
    void aRenewalThatCannotBeMadeKeepsTheCertificatesAndIsTriedAgain() {
        probes.pass("zk");
        start(plan(svc("zk")));
        String before = serial();
        renewalFails = true;
        loop.advance(untilRenewal().plusSeconds(1));
        assertEquals(1, renewals);
        assertEquals(before, serial(), "the current certificates stay in use");
        assertEquals(List.of("launch zk"), launcher.events, "nothing restarted for a renewal that was not made");
        renewalFails = false;
        loop.advance(CertificateRenewal.RETRY);
        assertEquals(2, renewals, "tried again a minute later");
        assertNotEquals(before, serial());
    }

    @Test
    void givenCertificateFilesAreWatchedAndARenewedPairIsTakenByTheBrokerWithoutARestart(@TempDir java.nio.file.Path dir) throws Exception {
        given = new GivenTls(dir.resolve("tls.crt"), "env AGENT_TLS_CERT_FILE", dir.resolve("tls.key"), "env AGENT_TLS_KEY_FILE");
        filesRenewed();
        probes.pass("zk");
        probes.pass("kafka");
        probes.pass("kafka certificate renewal");
        start(plan(svc("zk"), svc("kafka").waits("zk").renewedBy("kafka-configs", "--alter")));
        String before = serial();
        // the agent issues nothing itself: past the certificate's renewal time, unchanged files renew nothing
        loop.advance(LIFETIME.multipliedBy(5).dividedBy(6));
        assertEquals(0, renewals);
        assertTrue(probes.count(CertificateRenewal.WATCH_TARGET) > 10, "the files were looked at: " + probes.count(CertificateRenewal.WATCH_TARGET));
        assertEquals(List.of("launch zk", "launch kafka"), launcher.events);

        filesRenewed();
        loop.advance(CertificateRenewal.WATCH.plusSeconds(1));
        assertEquals(1, renewals, "taken at the next look");
        assertNotEquals(before, serial(), "the snapshot shows the renewed certificate");
        assertEquals(1, probes.count("kafka certificate renewal"), probes.asked.toString());
        assertTrue(launcher.events.contains("signal zk TERM"), "zk restarts through its gate: " + launcher.events);
        assertFalse(launcher.events.stream().anyMatch(e -> e.startsWith("signal kafka")), "the broker is not stopped: " + launcher.events);
        loop.advance(CertificateRenewal.WATCH.multipliedBy(3));
        assertEquals(1, renewals, "and not again while the files stay");
    }

    @Test
    void theSnapshotShowsEveryTrustedCaWithItsEnd() {
        probes.pass("zk");
        start(plan(svc("zk")));
        var cas = supervisor.snapshot().certificates().stream().filter(c -> c.isCa()).toList();
        assertEquals(1, cas.size(), supervisor.snapshot().certificates().toString());
        assertEquals(ca.certificate().getNotAfter().getTime(), cas.get(0).notAfterMs());
        assertEquals("CN=test CA,O=dockhand", cas.get(0).subject());
    }

    @Test
    void nodesRenewOneAfterTheOtherWithinATenthOfTheLifetime() {
        Duration life = Duration.ofDays(30);
        assertEquals(Duration.ZERO, CertificateRenewal.stagger(1, life));
        assertEquals(Duration.ofMinutes(1), CertificateRenewal.stagger(2, life), "a minute per node at most");
        Duration shortLife = Duration.ofMinutes(5);
        for (int id = 1; id <= 20; id++) {
            assertTrue(CertificateRenewal.stagger(id, shortLife).compareTo(shortLife.dividedBy(10)) <= 0, "node " + id);
        }
        assertNotEquals(CertificateRenewal.stagger(1, shortLife), CertificateRenewal.stagger(2, shortLife));
    }
}
