package dev.dockhand.agent.cli;

import dev.dockhand.agent.metadata.HostInfo;
import dev.dockhand.agent.metadata.MetadataInputs;
import dev.dockhand.agent.plan.NodePlan;
import dev.dockhand.agent.plan.PlanInputs;
import dev.dockhand.agent.plan.PlanReader;
import dev.dockhand.agent.plan.NodeSecurity;
import dev.dockhand.agent.plan.Planner;
import dev.dockhand.agent.resources.LimitsReader;
import java.nio.file.FileSystems;
import java.time.Instant;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options shared by check, render and run: where the catalog is, and who this node is. */
public final class NodeOptions {
    @Option(names = "--catalog", paramLabel = "FILE",
            description = "catalog.json (default: $AGENT_CATALOG, /etc/agent/catalog.json, ./templates/catalog.json)")
    String catalog;

    @Option(names = "--templates", paramLabel = "DIR",
            description = "templates dir (default: $AGENT_TEMPLATES, /etc/agent/templates, the catalog's dir)")
    String templates;

    @Option(names = "--out", paramLabel = "DIR", description = "where configs are rendered (default: $AGENT_CONF_DIR, <data dir>/conf)")
    String out;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "the node's data dir (default: $AGENT_DATA_DIR, /var/lib/dockhand if it exists, ./data)")
    String dataDir;

    @Option(names = "--home", paramLabel = "DIR",
            description = "where the service distributions are (default: $AGENT_HOME, /opt/dockhand, ./image/target/dist)")
    String home;

    @Option(names = "--metadata", paramLabel = "FILE", description = "metadata JSON file (default: $AGENT_METADATA_FILE)")
    String metadata;

    @Option(names = "--role", description = "this node's role (default: $AGENT_ROLE)")
    String role;

    @Option(names = "--cluster-config", paramLabel = "ID", description = "active cluster config (default: $AGENT_CLUSTER_CONFIG, default)")
    String clusterConfig;

    @Option(names = "--cluster-name", paramLabel = "NAME", description = "cluster name (default: $AGENT_CLUSTER_NAME)")
    String clusterName;

    @Option(names = "--fqdn", description = "this node's FQDN (default: $AGENT_FQDN, the resolver's)")
    String fqdn;

    @Option(names = "--nodes", paramLabel = "LIST", description = "node list role=fqdn,fqdn;role=fqdn (default: $AGENT_NODES)")
    String nodes;

    MetadataInputs metadataInputs() {
        return new MetadataInputs(role, clusterConfig, clusterName, fqdn, nodes, metadata);
    }

    /** What the planner needs from these flags; {@code agentHttpPort} for the macros that name it. */
    PlanInputs planInputs(int agentHttpPort) {
        return new PlanInputs(catalog, templates, out, dataDir, home, metadataInputs(), agentHttpPort);
    }

    /**
     * Steps 1-5 on this machine: identity and validation against its file system and host name, then
     * sizing from its limits, render and the identity guard, all in memory.
     */
    NodePlan plan(Map<String, String> env, int agentHttpPort) {
        return plan(env, agentHttpPort, null, false);
    }

    /**
     * As {@link #plan(Map, int)}, keeping a secured node's {@code current} certificates while they are
     * good (a reload), or issuing new ones when {@code renew}.
     */
    NodePlan plan(Map<String, String> env, int agentHttpPort, NodeSecurity.Certificates current, boolean renew) {
        Instant now = Instant.now();
        Planner.Resolved node = PlanReader.resolve(planInputs(agentHttpPort), env, FileSystems.getDefault(), HostInfo.system(),
                System.getProperty("java.home"), now);
        return Planner.plan(PlanReader.read(node, env, LimitsReader.system().read(), now), current, renew);
    }
}
