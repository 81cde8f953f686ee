package dev.dockhand.agent.metadata;

/**
 * Identity values given as command-line flags (null when not given). Env and the metadata file are
 * read by {@link MetadataResolver}; flags win over both.
 */
public record MetadataInputs(
        String role, String clusterConfig, String clusterName, String fqdn, String nodes, String metadataFile) {

    public static MetadataInputs none() {
        return new MetadataInputs(null, null, null, null, null, null);
    }
}
