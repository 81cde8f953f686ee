package dev.dockhand.agent.console;

import dev.dockhand.agent.console.ConsoleConfig.AgentEndpoint;
import dev.dockhand.agent.console.ConsoleConfig.HostPort;
import dev.dockhand.agent.console.Overview.KafkaView;
import dev.dockhand.agent.console.Overview.NodeView;
import dev.dockhand.agent.console.Overview.RegistryView;
import dev.dockhand.agent.console.Overview.ZooKeeperMember;

/** What the collector asks; the real ones talk to the cluster, tests pass fakes. */
final class Sources {
    private Sources() {}

    interface KafkaSource extends AutoCloseable {
        /** Must return (or throw) by the deadline; the collector stops waiting then anyway. */
        KafkaView collect(Deadline deadline) throws Exception;

        @Override
        default void close() {}
    }

    interface ZooKeeperSource {
        ZooKeeperMember probe(HostPort member, Deadline deadline);
    }

    interface RegistrySource {
        RegistryView collect(Deadline deadline);
    }

    interface AgentSource {
        NodeView probe(AgentEndpoint endpoint, Deadline deadline);
    }

    interface BrokerMetricsSource {
        /** The broker's own metrics, or null when the console reads none. */
        Overview.BrokerMetrics probe(Overview.BrokerView broker, Deadline deadline);
    }
}
