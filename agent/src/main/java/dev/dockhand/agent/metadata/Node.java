package dev.dockhand.agent.metadata;

/** One node of the cluster: its FQDN and its role. */
public record Node(String fqdn, String role) {}
