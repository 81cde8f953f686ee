package dev.dockhand.agent.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PageTest {
    private final String html = new Page(5).render(Fixtures.overview());

    @Test
    void aKraftClusterShowsItsControllerQuorumWhereZooKeeperWouldBe() {
        Overview o = Fixtures.overview();
        Overview.KafkaView k = o.kafka();
        Overview.QuorumView q = new Overview.QuorumView(2, 5, 1843, java.util.List.of(
                new Overview.ReplicaView(1, 1843, 0, 120, 120),
                new Overview.ReplicaView(2, 1843, 0, -1, 0),
                new Overview.ReplicaView(3, 1200, 643, 40_000, 45_000)), java.util.List.of());
        Overview kraft = new Overview(o.clusterName(), o.generatedAtMs(), o.collectMs(), o.readOnly(), o.summary(),
                new Overview.KafkaView(k.reachable(), k.error(), k.clusterId(), k.controllerId(), k.brokers(), k.topics(), k.groups(),
                        k.problems(), q), new Overview.ZooKeeperView(false, false, java.util.List.of()), o.registry(), o.nodes());
        String page = new Page(5).render(kraft);
        assertTrue(page.contains("KRaft controller quorum"), "the quorum's card");
        assertTrue(page.contains("leader 2 · epoch 5 · high watermark 1843"));
        assertTrue(page.contains("643") && page.contains("behind"), "a voter behind the leader is marked");
        assertFalse(page.contains("ZooKeeper ensemble"), "no ZooKeeper card in a KRaft cluster");
        assertFalse(html.contains("KRaft controller quorum"), "none in a ZooKeeper cluster");
    }

    @Test
    void hostileTopicNameAndSchemaTextAppearAsTextOnly() {
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "topic name shown as text");
        assertTrue(html.contains("&lt;/pre&gt;&lt;script&gt;alert(2)&lt;/script&gt;"), "schema text shown as text");
        assertTrue(html.contains("it&#39;s &quot;quoted&quot; &amp; more"));
        assertFalse(html.contains("<script>alert"), "no injected script element");
        assertEquals(1, count(html, "<script"), "only the page's own refresh script");
    }

    @Test
    void showsBrokersTopicsGroupsSchemasAndEveryNodeIncludingTheDeadOne() {
        assertTrue(html.contains("data-broker=\"1\""));
        assertTrue(html.contains("offline: holds replicas but is not registered"));
        assertTrue(html.contains("data-topic=\"orders\""));
        assertTrue(html.contains("p1 L2 isr[2]/[2,1]"), "under-replicated partition shows ISR and replicas");
        assertTrue(html.contains("p0 Lnone"), "offline partition shows no leader");
        assertTrue(html.contains("orders-0 lag 7"));
        assertTrue(html.contains("data-subject=\"orders-value\""));
        assertTrue(html.contains("data-node=\"gw:9800\" data-up=\"false\""));
        assertTrue(html.contains("down: connection refused"));
        assertTrue(html.contains("BACKOFF") && html.contains("restarts 3"));
        assertTrue(html.contains("Read-only console: it has no actions"));
    }

    @Test
    void showsEachBrokersOwnMetricsWhereItHasThem() {
        Overview o = Fixtures.overview();
        var brokers = new java.util.ArrayList<>(o.kafka().brokers());
        brokers.set(0, brokers.get(0).withMetrics(new Overview.BrokerMetrics("http://b1:9404/metrics", true, null, 2.0, 1000.0,
                12.5, 2048.0, 1024.0 * 1024, 7.0, 87.5, 3.0)));
        brokers.set(1, brokers.get(1).withMetrics(Overview.BrokerMetrics.down("http://b2:9404/metrics", "connection refused")));
        var k = o.kafka();
        Overview withMetrics = new Overview(o.clusterName(), o.generatedAtMs(), o.collectMs(), true, o.summary(),
                new Overview.KafkaView(true, null, k.clusterId(), k.controllerId(), brokers, k.topics(), k.groups(), k.problems()),
                o.zookeeper(), o.registry(), o.nodes());
        String page = new Page(0).render(withMetrics);
        assertTrue(page.contains("<th class=\"n\">msgs in/s</th>"), page);
        assertTrue(page.contains("<td class=\"n err\">2</td><td class=\"n\">12.5</td>"
                + "<td class=\"n nowrap\">2.0 KiB · 1.0 MiB</td><td class=\"n\">7 ms</td><td class=\"n\">88 %</td><td class=\"n\">3</td>"), page);
        assertTrue(page.contains("metrics: connection refused"), page);
        assertTrue(page.contains("<main>") && page.indexOf("id=\"brokers\"") < page.indexOf("<div class=\"grid\">"),
                "the brokers with their metrics take the page's width, outside the two-column grid");
        assertFalse(html.contains("msgs in/s"), "no metric columns when the console reads no broker metrics");
    }

    @Test
    void highlightsUnderReplicatedAndOfflineTopicRows() {
        assertTrue(html.contains("<tr class=\"warn\" data-topic=\"orders\">"));
        assertTrue(html.contains("<tr class=\"bad\" data-topic=\"&lt;script&gt;alert(1)&lt;/script&gt;\">"));
    }

    @Test
    void policyAllowsExactlyTheRefreshScript() throws Exception {
        Page page = new Page(5);
        Matcher m = Pattern.compile("<script>(.*)</script>", Pattern.DOTALL).matcher(page.render(Fixtures.overview()));
        assertTrue(m.find());
        String hash = Base64.getEncoder().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(m.group(1).getBytes(StandardCharsets.UTF_8)));
        assertTrue(page.contentSecurityPolicy().contains("'sha256-" + hash + "'"), page.contentSecurityPolicy());
        assertTrue(page.contentSecurityPolicy().startsWith("default-src 'none'"));
    }

    @Test
    void withoutRefreshThereIsNoScriptAtAll() {
        Page page = new Page(0);
        assertEquals(0, count(page.render(Fixtures.overview()), "<script"));
        assertTrue(page.contentSecurityPolicy().contains("script-src 'none'"));
    }

    @Test
    void summaryTilesSitInOneGrid() {
        int start = html.indexOf("<div class=\"tiles\">");
        assertTrue(start > 0 && html.indexOf("Nodes up", start) > start, "tiles grid holds the tiles");
    }

    @Test
    void noExternalResources() {
        assertFalse(html.matches("(?s).*(src|href)=\"(https?:)?//.*"), "no CDN or remote links");
    }

    @Test
    void formatsSizesAndDurations() {
        assertEquals("12.1 KiB", Page.bytes(12_345));
        assertEquals("512 B", Page.bytes(512));
        assertEquals("1m 5s", Page.duration(65_000));
        assertEquals("2d 3h", Page.duration((2 * 86400 + 3 * 3600) * 1000L));
    }

    private static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
