package dev.dockhand.agent.render;

import java.nio.file.Path;

/**
 * Where things are on this node.
 *
 * @param templates directory holding the templates named by the catalog
 * @param confDir directory configs are rendered into (relative template targets)
 * @param dataDir the node's data directory (volume)
 * @param homeDir where the service distributions are installed
 * @param java the java executable services run with
 * @param agentHttpPort port of the agent's HTTP endpoint on every node
 */
public record Paths(Path templates, Path confDir, Path dataDir, Path homeDir, String java, int agentHttpPort) {}
