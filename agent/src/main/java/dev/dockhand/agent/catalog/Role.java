package dev.dockhand.agent.catalog;

/** A node role with its cardinality, as the talk's {@code role add broker 1+}. */
public record Role(String id, Cardinality cardinality) {}
