package dev.dockhand.agent.catalog;

import dev.dockhand.agent.core.Spelled;

/**
 * Where a node stands in the move of a ZooKeeper-mode cluster to KRaft ({@code AGENT_MIGRATION_PHASE},
 * ADR 012): the steps of Kafka 3.9's documented migration, in order. Each is one value set on a set of
 * nodes followed by a rolling restart of those nodes.
 */
public enum MigrationPhase implements Spelled {
    /** Controllers in migration mode (formatted with ZooKeeper's cluster id); brokers in ZooKeeper mode with the migration settings: the metadata is copied, then written to both. */
    MIGRATION("migration"),
    /** Brokers in KRaft mode under their old ids; controllers still in migration mode (ZooKeeper still written, rollback still possible). */
    KRAFT_BROKERS("kraft-brokers"),
    /** Controllers out of migration mode: the migration is finalized, ZooKeeper is no longer written and can be retired. */
    KRAFT("kraft");

    /** The spelling of {@code AGENT_MIGRATION_PHASE}. */
    public final String id;

    MigrationPhase(String id) {
        this.id = id;
    }

    @Override
    public String id() {
        return id;
    }

    /** The phase spelled {@code id}, or null when there is none. */
    public static MigrationPhase parse(String id) {
        return Spelled.byId(values(), id);
    }

    /** Whether controllers run in migration mode in this phase (they still read and write ZooKeeper). */
    public boolean controllersMigrating() {
        return this != KRAFT;
    }

    /** Whether brokers run in KRaft mode in this phase. */
    public boolean brokersInKraft() {
        return this != MIGRATION;
    }

    /** Every phase, as AGENT_MIGRATION_PHASE spells it, in order. */
    public static String spellings() {
        return String.join(", ", java.util.Arrays.stream(values()).map(p -> p.id).toList());
    }
}
