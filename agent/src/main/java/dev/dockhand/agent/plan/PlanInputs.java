package dev.dockhand.agent.plan;

import dev.dockhand.agent.metadata.MetadataInputs;

/**
 * What the command line gave for planning a node (null where a flag was not given): where the
 * catalog, templates, configs, data and distributions are, and who this node is.
 *
 * @param agentHttpPort the agent's HTTP port (0: off), for the {@code AGENT_HTTP_PORT} and
 *     {@code AGENT_ENDPOINTS} macros
 */
public record PlanInputs(String catalog, String templates, String out, String dataDir, String home,
        MetadataInputs metadata, int agentHttpPort) {}
