package dev.dockhand.agent.console;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MetricsTest {
    private final String text = Metrics.render(Fixtures.overview());

    @Test
    void clusterGauges() {
        assertTrue(text.contains("\ndockhand_console_brokers 2\n"), text);
        assertTrue(text.contains("\ndockhand_console_under_replicated_partitions 2\n"));
        assertTrue(text.contains("\ndockhand_console_offline_partitions 1\n"));
        assertTrue(text.contains("\ndockhand_console_nodes_up 2\n"));
        assertTrue(text.contains("dockhand_console_topic_partitions{topic=\"orders\"} 3\n"));
        assertTrue(text.contains("dockhand_console_group_lag{group=\"billing\"} 7\n"));
        assertTrue(text.contains("dockhand_console_group_partition_lag{group=\"billing\",topic=\"orders\",partition=\"0\"} 7\n"));
        assertTrue(text.contains("dockhand_console_node_up{role=\"gateway\",node=\"gw:9800\"} 0\n"));
        assertTrue(text.contains("dockhand_console_service_restarts{node=\"b2:9800\",service=\"kafka\"} 3\n"));
        assertTrue(text.contains("# TYPE dockhand_console_brokers gauge\n"));
    }

    @Test
    void labelValuesAreEscaped() {
        assertTrue(Metrics.escape("a\"b\\c\nd").equals("a\\\"b\\\\c\\nd"));
        for (String line : text.split("\n")) {
            assertTrue(line.startsWith("#") || line.matches("[a-z_]+(\\{.*\\})? -?[0-9.]+"), line);
        }
    }
}
