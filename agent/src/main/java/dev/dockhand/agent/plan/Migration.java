package dev.dockhand.agent.plan;

import static dev.dockhand.agent.render.ServiceIds.KAFKA_BROKER;
import static dev.dockhand.agent.render.ServiceIds.KRAFT_BROKER;
import static dev.dockhand.agent.render.ServiceIds.KRAFT_CONTROLLER;
import static dev.dockhand.agent.render.ServiceIds.ZOOKEEPER;

import dev.dockhand.agent.catalog.ClusterConfig;
import dev.dockhand.agent.catalog.HealthSpec;
import dev.dockhand.agent.catalog.MigrationPhase;
import dev.dockhand.agent.catalog.ProbeSpec;
import dev.dockhand.agent.catalog.Security;
import dev.dockhand.agent.catalog.ServiceSpec;
import dev.dockhand.agent.core.InputFiles;
import dev.dockhand.agent.core.Names;
import dev.dockhand.agent.core.Problems;
import dev.dockhand.agent.metadata.Node;
import dev.dockhand.agent.metadata.Source;
import dev.dockhand.agent.metadata.Sourced;
import dev.dockhand.agent.plan.NodePlan.Endpoint;
import dev.dockhand.agent.plan.NodePlan.RemoteDependency;
import dev.dockhand.agent.render.NodeContext;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The ZooKeeper-to-KRaft migration's rules for one node (ADR 012): which phase it is in
 * ({@code AGENT_MIGRATION_PHASE}), what a phase needs of the cluster config and the node (refused with
 * exit 2 otherwise), and the precondition a node waits for when it moves to the next phase: a broker's
 * first start in KRaft mode waits until the controllers report the metadata migrated; a controller's
 * first start out of migration mode waits until they report no broker left in ZooKeeper mode. While it
 * waits the service is PENDING, and its reason (in {@code agent status}) quotes what the controllers said.
 */
final class Migration {
    static final String PHASE = "AGENT_MIGRATION_PHASE";
    /** The name of the precondition a service waits for, in status and logs. */
    static final String PRECONDITION = NodePlan.MIGRATION_PRECONDITION;

    /** {@link NodePlan#migrationMarker}, relative to the data dir. */
    static final String MARKER_PREFIX = ".dockhand/migration-wait-";

    private Migration() {}

    /** The files the rules look at, for the read step: each server's last config, and each service's marker. */
    static void look(NodeContext ctx, List<ServerSettings> servers, NodeFiles.Recorder disk) {
        for (ServerSettings f : servers) {
            disk.look(f.file(), InputFiles.TEMPLATE_LIMIT);
            f.allLogDirs().forEach(d -> disk.look(d.resolve("meta.properties")));
        }
        ctx.services().forEach(s -> disk.look(ctx.paths().dataDir().resolve(MARKER_PREFIX + s.id())));
    }

    /** Makes the marker of every service that waits for its precondition (see {@link NodePlan#migrationMarker}). */
    static void markWaits(NodePlan plan) throws IOException {
        for (NodePlan.PlannedService s : plan.services()) {
            if (NodePlan.waitsForMigration(s)) {
                Path marker = plan.migrationMarker(s.spec().id());
                Files.createDirectories(marker.getParent());
                Files.writeString(marker, "the dockhand agent starts " + s.spec().id() + " only once the KRaft controllers report "
                        + "what its migration phase needs (ADR 012); removed when they did\n");
            }
        }
    }

    /**
     * The node's phase, or null outside a migration; every reason it cannot hold under
     * {@code config} and {@code security} added to {@code problems}.
     */
    static Sourced<MigrationPhase> choose(Map<String, String> env, ClusterConfig config, Sourced<Security> security, Problems problems) {
        String v = env.get(PHASE);
        boolean layout = config.runs(ZOOKEEPER) && config.runs(KRAFT_CONTROLLER);
        if (v == null || v.isBlank()) {
            if (layout) {
                problems.add("cluster config '" + config.id() + "' runs ZooKeeper and KRaft controllers side by side: it is the layout "
                        + "of the move to KRaft, and needs " + PHASE + " (one of " + MigrationPhase.spellings()
                        + "; see examples/migration/README.md)");
            }
            return null;
        }
        MigrationPhase phase = MigrationPhase.parse(v.strip());
        if (phase == null) {
            problems.add("env " + PHASE + ": unknown phase '" + Names.printable(v.strip()) + "'; use one of " + MigrationPhase.spellings()
                    + ", in that order (examples/migration/README.md), or unset it");
            return null;
        }
        Sourced<MigrationPhase> out = new Sourced<>(phase, Source.env(PHASE));
        if (!config.runs(KRAFT_CONTROLLER)) {
            problems.add("env " + PHASE + "=" + phase.id + " needs KRaft controllers, and cluster config '" + config.id()
                    + "' runs none; use zk-migration while the migration runs, and kraft after it (phase kraft)");
        } else if (phase.controllersMigrating() && !config.runs(ZOOKEEPER)) {
            problems.add("env " + PHASE + "=" + phase.id + ": in this phase the controllers still read and write ZooKeeper, and "
                    + "cluster config '" + config.id() + "' runs none; use zk-migration until phase kraft");
        }
        return out;
    }

    /** The Kafka services whose last config tells how the node ran: secured or plaintext. */
    private static final List<String> KAFKA_SERVICES = List.of(KAFKA_BROKER, KRAFT_CONTROLLER, KRAFT_BROKER);

    /**
     * Refusals that only the node's disk can tell: a Kafka node that ran secured asked to run plaintext during the
     * migration, or the other way round (ADR 017: every node of a cluster keeps its security through the move, and a
     * node that disagrees with the others would be cut off from them, or open what they close); a controller that
     * already ran out of migration mode (the migration was finalized) asked back into it. Kafka cannot go back to
     * ZooKeeper mode from there.
     */
    static void checkDisk(List<ServerSettings> servers, Sourced<MigrationPhase> phase, Sourced<Security> security, NodeFiles disk,
            Problems problems) {
        if (phase == null) {
            return;
        }
        if (security != null) {
            for (ServerSettings f : servers) {
                if (!KAFKA_SERVICES.contains(f.service()) || !f.file().getFileName().toString().equals("server.properties")) {
                    continue;
                }
                Properties before = previous(f, disk);
                if (before == null) {
                    continue;
                }
                boolean ranSecured = before.getProperty("listener.security.protocol.map", "").contains("SSL");
                boolean secured = security.value() == Security.TLS;
                if (ranSecured != secured) {
                    problems.add("env " + PHASE + "=" + phase.value().id + ": this node ran " + (ranSecured ? "secured" : "plaintext")
                            + " (its last config, " + f.file() + ", has " + (ranSecured ? "TLS" : "no TLS") + " listeners) and "
                            + security.source() + " asks for " + security.value().id + " now: the nodes of a cluster keep their security "
                            + "through the move to KRaft, or they cannot reach each other (ADR 017); set AGENT_SECURITY="
                            + (ranSecured ? "tls" : "plaintext") + " as on the other nodes (kraft is secured by default), and change "
                            + "security in a roll of its own before or after the migration. Nothing was changed");
                    break;
                }
            }
        }
        if (!phase.value().controllersMigrating()) {
            return;
        }
        for (ServerSettings f : servers) {
            if (!f.service().equals(KRAFT_CONTROLLER) || !f.file().getFileName().toString().equals("server.properties")) {
                continue;
            }
            Properties before = previous(f, disk);
            if (before != null && before.getProperty("zookeeper.metadata.migration.enable") == null
                    && before.getProperty("controller.quorum.voters") != null && formatted(f, disk)) {
                problems.add("env " + PHASE + "=" + phase.value().id + ": this controller already ran out of migration mode (its last "
                        + "config, " + f.file() + ", has no zookeeper.metadata.migration.enable): the migration was finalized and "
                        + "Kafka cannot go back to ZooKeeper; set " + PHASE + "=kraft. Nothing was changed");
            }
        }
    }

    /**
     * What {@code spec} waits for before it starts in {@code ctx}'s phase, or null: only a service that
     * moves to the next phase with this start waits, so that a node restarted in a phase it already ran
     * in (a whole cluster restarted at once, too) never waits on others.
     */
    static RemoteDependency precondition(NodeContext ctx, ServiceSpec spec, List<ServerSettings> servers, NodeFiles disk) {
        Sourced<MigrationPhase> phase = ctx.migration();
        if (phase == null || !ctx.config().runs(ZOOKEEPER)) {
            return null; // outside the migration, or after it (the kraft config): nothing moves any more
        }
        ServerSettings config = ServerSettings.serverProperties(servers, spec.id());
        if (config == null) {
            return null;
        }
        boolean noZooKeeperBrokers;
        boolean stillWaiting = disk.exists(ctx.paths().dataDir().resolve(MARKER_PREFIX + spec.id()));
        if (spec.id().equals(KAFKA_BROKER) && phase.value().brokersInKraft()) {
            if (!stillWaiting && !ranInZooKeeperMode(config, disk)) {
                return null;
            }
            noZooKeeperBrokers = false;
        } else if (spec.id().equals(KRAFT_CONTROLLER) && !phase.value().controllersMigrating()) {
            Properties before = previous(config, disk);
            if (!stillWaiting && (before == null || !"true".equals(before.getProperty("zookeeper.metadata.migration.enable", "").strip()))) {
                return null;
            }
            noZooKeeperBrokers = true;
        } else {
            return null;
        }
        int port = ctx.catalog().service(KRAFT_CONTROLLER).map(ServiceSpec::metricsPort).orElse(0);
        String self = ctx.identity().self().value();
        List<Endpoint> controllers = ctx.controllerNodes().stream().map(Node::fqdn).filter(h -> !h.equalsIgnoreCase(self))
                .map(h -> new Endpoint(h, port)).toList();
        if (port <= 0 || controllers.isEmpty()) {
            return null;
        }
        HealthSpec health = new HealthSpec(new ProbeSpec.ZkMigration(port, noZooKeeperBrokers), Duration.ofSeconds(1),
                Duration.ofSeconds(2), 1, Duration.ofMinutes(15), null);
        return new RemoteDependency(PRECONDITION, controllers, health, 1);
    }

    /**
     * Whether the broker ran in ZooKeeper mode at its last start: its last config (the agent renders it
     * at every start, into the conf dir on the node's volume) has no {@code process.roles}. Not its log
     * dir: a ZooKeeper-mode broker with the migration settings already keeps a KRaft metadata log there.
     */
    private static boolean ranInZooKeeperMode(ServerSettings config, NodeFiles disk) {
        Properties before = previous(config, disk);
        return before != null && before.getProperty("broker.id") != null && before.getProperty("process.roles") == null;
    }

    /** Whether the controller's metadata log dir was formatted. */
    private static boolean formatted(ServerSettings config, NodeFiles disk) {
        List<Path> dirs = config.logDirs();
        return dirs != null && !dirs.isEmpty() && disk.exists(dirs.get(0).resolve("meta.properties"));
    }

    /** The file the agent rendered at the node's last start (still on disk: this start has not written yet), or null. */
    private static Properties previous(ServerSettings f, NodeFiles disk) {
        if (!disk.exists(f.file())) {
            return null;
        }
        try {
            return properties(disk.read(f.file(), InputFiles.TEMPLATE_LIMIT));
        } catch (InputFiles.Refused e) {
            return null;
        }
    }

    private static Properties properties(String text) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
            return p;
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }
}
