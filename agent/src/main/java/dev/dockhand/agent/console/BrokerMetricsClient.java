package dev.dockhand.agent.console;

import dev.dockhand.agent.console.Overview.BrokerMetrics;
import dev.dockhand.agent.console.Overview.BrokerView;
import dev.dockhand.agent.core.PrometheusText;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads the few broker metrics the page shows from each broker's own Prometheus endpoint (the JMX
 * exporter, {@code broker.metrics.port} on the host the broker advertises; names from
 * templates/kafka-broker/jmx-exporter.yml). Rates come from two scrapes: the previous one of the
 * same broker is kept, so the first page after a start shows totals without rates.
 */
final class BrokerMetricsClient implements Sources.BrokerMetricsSource {
    static final String MESSAGES_IN = "kafka_server_brokertopicmetrics_messagesin_total";
    static final String BYTES_IN = "kafka_server_brokertopicmetrics_bytesin_total";
    static final String BYTES_OUT = "kafka_server_brokertopicmetrics_bytesout_total";
    static final String URP = "kafka_server_replicamanager_underreplicatedpartitions";
    static final String ISR_SHRINKS = "kafka_server_replicamanager_isrshrinks_total";
    static final String HANDLER_IDLE = "kafka_server_kafkarequesthandlerpool_requesthandleravgidlepercent";
    static final String REQUEST_TIME = "kafka_network_requestmetrics_totaltime_ms";

    /** A scrape's counters, and when it was taken. */
    private record Counters(long atNanos, double messagesIn, double bytesIn, double bytesOut) {}

    private final Http http;
    private final int port;
    private final Map<Integer, Counters> previous = new ConcurrentHashMap<>();

    BrokerMetricsClient(Http http, int port) {
        this.http = http;
        this.port = port;
    }

    @Override
    public BrokerMetrics probe(BrokerView broker, Deadline deadline) {
        if (port <= 0 || broker.host() == null) {
            return null;
        }
        String url = "http://" + new ConsoleConfig.HostPort(broker.host(), port) + "/metrics";
        try {
            Http.Reply r = http.get(url, deadline);
            if (!r.ok()) {
                return BrokerMetrics.down(url, "HTTP " + r.status());
            }
            return read(broker.id(), url, PrometheusText.parse(r.body()), System.nanoTime());
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return BrokerMetrics.down(url, Deadline.reason(e));
        }
    }

    /* test */ BrokerMetrics read(int brokerId, String url, PrometheusText m, long nowNanos) {
        Counters now = new Counters(nowNanos, m.value(MESSAGES_IN).orElse(Double.NaN), m.value(BYTES_IN).orElse(Double.NaN),
                m.value(BYTES_OUT).orElse(Double.NaN));
        Counters before = previous.put(brokerId, now);
        Double msgRate = null;
        Double inRate = null;
        Double outRate = null;
        if (before != null && now.atNanos() > before.atNanos()) {
            double seconds = (now.atNanos() - before.atNanos()) / 1e9;
            msgRate = rate(before.messagesIn(), now.messagesIn(), seconds);
            inRate = rate(before.bytesIn(), now.bytesIn(), seconds);
            outRate = rate(before.bytesOut(), now.bytesOut(), seconds);
        }
        return new BrokerMetrics(url, true, null,
                m.value(URP).orElse(null),
                finite(now.messagesIn()), msgRate, inRate, outRate,
                m.value(REQUEST_TIME, "request", "Produce", "quantile", "0.99").orElse(null),
                m.value(HANDLER_IDLE).map(v -> v * 100).orElse(null),
                m.value(ISR_SHRINKS).orElse(null));
    }

    /** Per second, or null across a counter reset (a restarted broker) or a missing figure. */
    private static Double rate(double before, double now, double seconds) {
        if (Double.isNaN(before) || Double.isNaN(now) || now < before || seconds <= 0) {
            return null;
        }
        return (now - before) / seconds;
    }

    private static Double finite(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
