package dev.dockhand.agent.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.dockhand.agent.console.Overview.BrokerMetrics;
import dev.dockhand.agent.console.Overview.BrokerView;
import dev.dockhand.agent.core.PrometheusText;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class BrokerMetricsClientTest {
    static String scrape(double messages, double bytesIn, double bytesOut) {
        return """
                kafka_server_brokertopicmetrics_messagesin_total %s
                kafka_server_brokertopicmetrics_bytesin_total %s
                kafka_server_brokertopicmetrics_bytesout_total %s
                kafka_server_replicamanager_underreplicatedpartitions 2.0
                kafka_server_replicamanager_isrshrinks_total 1.0
                kafka_server_kafkarequesthandlerpool_requesthandleravgidlepercent 0.875
                kafka_network_requestmetrics_totaltime_ms{quantile="0.99",request="Produce"} 12.0
                """.formatted(messages, bytesIn, bytesOut);
    }

    @Test
    void ratesComeFromTwoScrapesOfTheSameBrokerAndACounterResetGivesNone() {
        BrokerMetricsClient c = new BrokerMetricsClient(null, 9404);
        BrokerMetrics first = c.read(1, "u", PrometheusText.parse(scrape(100, 1000, 5000)), 0);
        assertTrue(first.up());
        assertEquals(100.0, first.messagesIn());
        assertNull(first.messagesInPerSec(), "no rate from one scrape");
        assertEquals(2.0, first.underReplicatedPartitions());
        assertEquals(87.5, first.requestHandlerIdlePercent());
        assertEquals(12.0, first.produceP99Ms());
        assertEquals(1.0, first.isrShrinks());
        BrokerMetrics second = c.read(1, "u", PrometheusText.parse(scrape(300, 3000, 5000)), 2_000_000_000L);
        assertEquals(100.0, second.messagesInPerSec());
        assertEquals(1000.0, second.bytesInPerSec());
        assertEquals(0.0, second.bytesOutPerSec());
        assertNull(c.read(2, "u", PrometheusText.parse(scrape(1, 1, 1)), 3_000_000_000L).messagesInPerSec(), "per broker");
        BrokerMetrics restarted = c.read(1, "u", PrometheusText.parse(scrape(5, 50, 50)), 4_000_000_000L);
        assertNull(restarted.messagesInPerSec(), "a restarted broker's counters start over: no negative rate");
    }

    @Test
    void aBrokerWithoutAnEndpointIsDownWithTheReason() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        server.createContext("/metrics", ex -> {
            byte[] b = scrape(1, 2, 3).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        var pool = Executors.newCachedThreadPool();
        try {
            Http http = new Http(Duration.ofSeconds(2), pool);
            int port = server.getAddress().getPort();
            BrokerView b = new BrokerView(1, "127.0.0.1", 9092, null, true, true, true, "reachable");
            BrokerMetrics up = new BrokerMetricsClient(http, port).probe(b, Deadline.in(Duration.ofSeconds(2)));
            assertTrue(up.up(), up.toString());
            assertEquals("http://127.0.0.1:" + port + "/metrics", up.url());
            assertEquals(1.0, up.messagesIn());
            server.stop(0);
            BrokerMetrics down = new BrokerMetricsClient(http, port).probe(b, Deadline.in(Duration.ofSeconds(2)));
            assertFalse(down.up());
            assertTrue(down.error() != null && !down.error().isBlank(), down.toString());
            assertNull(new BrokerMetricsClient(http, 0).probe(b, Deadline.in(Duration.ofSeconds(1))), "no port: no metrics");
        } finally {
            server.stop(0);
            pool.shutdownNow();
        }
    }
}
