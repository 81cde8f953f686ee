package dev.dockhand.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
    /** Lines as the JMX exporter 1.0.1 writes them (with a line this reader must skip). */
    static final String SCRAPE = """
            # HELP kafka_server_brokertopicmetrics_messagesin_total Attribute exposed for management
            # TYPE kafka_server_brokertopicmetrics_messagesin_total counter
            kafka_server_brokertopicmetrics_messagesin_total 21005.0
            kafka_server_replicamanager_underreplicatedpartitions 0.0
            kafka_network_requestmetrics_totaltime_ms{quantile="0.50",request="Produce"} 2.0
            kafka_network_requestmetrics_totaltime_ms{quantile="0.99",request="Produce"} 52.0
            kafka_network_requestmetrics_requests_total{request="Produce",version="11"} 57.0
            kafka_network_requestmetrics_requests_total{request="Produce",version="9"} 3.0
            odd{label="a \\"quoted\\", \\\\ value"} 1e3 1700000000000
            not a sample line
            """;

    @Test
    void readsNamedSeriesByLabelsAndSkipsWhatItCannotParse() {
        PrometheusText m = PrometheusText.parse(SCRAPE);
        assertEquals(Optional.of(21005.0), m.value("kafka_server_brokertopicmetrics_messagesin_total"));
        assertEquals(Optional.of(52.0), m.value("kafka_network_requestmetrics_totaltime_ms", "request", "Produce", "quantile", "0.99"));
        assertEquals(Optional.of(2.0), m.value("kafka_network_requestmetrics_totaltime_ms", "quantile", "0.50"));
        assertEquals(Optional.of(3.0), m.value("kafka_network_requestmetrics_requests_total", "version", "9"));
        assertEquals(Optional.of(1000.0), m.value("odd", "label", "a \"quoted\", \\ value"));
        assertTrue(m.value("not").isEmpty());
        assertTrue(m.value("kafka_network_requestmetrics_totaltime_ms", "request", "Fetch").isEmpty());
    }
}
