package dev.dockhand.agent.plan;

import dev.dockhand.agent.core.InputFiles;
import dev.dockhand.agent.core.Problems;
import dev.dockhand.agent.render.RenderPlan.RenderedFile;
import dev.dockhand.agent.render.RenderPlan;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.List;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Refuses to render over an identity already on disk: a ZooKeeper {@code myid}, or a Kafka
 * {@code meta.properties} in a log dir, whose id differs from the one about to be rendered means the
 * volume belongs to another node (or the node list changed order). Starting anyway would make two
 * nodes share an id, so the agent stops and names both values and the file. It never overwrites them.
 *
 * <p>A KRaft node's {@code meta.properties} also names its cluster (the id derived from the cluster
 * name) and its log dir ({@code directory.id}). The agent records each log dir's directory id once it
 * has seen it formatted ({@link #STORAGE_RECORD}); a later {@code meta.properties} with another one, or
 * none at all, means the volume was swapped or lost, and a controller that came back as a new replica
 * under its old id could break the quorum's promises: refused, as are the ids.
 *
 * <p>In ZooKeeper mode the cluster id is ZooKeeper's ({@code /cluster/id}), which the broker writes into
 * its {@code meta.properties} at its first start. The agent records it the first time it sees it
 * ({@link #ZK_CLUSTER_ID}); a later {@code meta.properties} of another cluster (a volume of another
 * cluster mounted here), or log dirs of one node that disagree, are refused. Kafka itself would stop
 * with {@code InconsistentClusterIdException} once it reached ZooKeeper, and the agent would restart it
 * again and again; refused before anything starts, the operator reads why.
 *
 * <p>The check takes what the read step found on the volume ({@link NodeFiles}, gathered by
 * {@link #look}) and each Kafka server's ids and log dirs as data ({@link ServerSettings}); only
 * {@link #record}, part of writing a plan, touches the disk itself.
 */
final class IdentityGuard {
    private IdentityGuard() {}

    /** Where the agent records the {@code directory.id} of every KRaft log dir it has seen formatted. */
    static final String STORAGE_RECORD = ".dockhand/kafka-storage.properties";
    /** The key of {@link #STORAGE_RECORD} that holds a ZooKeeper-mode broker's cluster id (the others are log dirs). */
    static final String ZK_CLUSTER_ID = "zookeeper-mode.cluster.id";

    /**
     * @param clusterId the cluster id this node's KRaft storage must belong to (CLUSTER_ID), or null for a
     *     cluster migrated from ZooKeeper (AGENT_MIGRATION_PHASE set), whose KRaft nodes keep ZooKeeper's
     *     cluster id: the one recorded when first seen, as for a ZooKeeper-mode broker
     * @param dataDir the node's data dir, where {@link #STORAGE_RECORD} lives
     * @param servers the Kafka servers' settings of {@code plan}
     * @param disk what the node's volume holds
     */
    static void check(RenderPlan plan, List<ServerSettings> servers, String clusterId, Path dataDir, NodeFiles disk, Problems problems) {
        Properties recorded = readRecord(dataDir, disk, problems);
        for (RenderedFile f : plan.files()) {
            Path name = f.target().getFileName();
            ServerSettings server = ServerSettings.find(servers, f.service(), f.target());
            if (name != null && name.toString().equals("myid")) {
                checkMyid(f, disk, problems);
            } else if (server != null && server.id() != null && server.logDirs() != null) {
                checkKafka(server, clusterId, recorded, disk, problems);
            }
        }
    }

    /** The files {@link #check} looks at, for the read step: the record, each myid, each log dir's meta.properties. */
    static void look(RenderPlan plan, List<ServerSettings> servers, Path dataDir, NodeFiles.Recorder disk) {
        disk.look(dataDir.resolve(STORAGE_RECORD), InputFiles.STATE_LIMIT);
        for (RenderedFile f : plan.files()) {
            Path name = f.target().getFileName();
            if (name != null && name.toString().equals("myid")) {
                disk.look(f.target(), InputFiles.STATE_LIMIT);
            }
        }
        for (ServerSettings s : servers) {
            for (Path dir : s.allLogDirs()) {
                disk.look(dir.resolve("meta.properties"), InputFiles.STATE_LIMIT);
            }
        }
    }

    /**
     * Records the {@code directory.id} of every formatted log dir of this node's KRaft services that the
     * record lacks (at every start and reload, after {@link #check} passed): from then on a log dir whose
     * {@code meta.properties} names another directory, or has none, is refused. Nothing is overwritten.
     */
    static void record(List<ServerSettings> servers, Path dataDir) throws IOException {
        record(servers, dataDir, false);
    }

    /**
     * As {@link #record(List, Path)}; with {@code migrated} (a cluster moved from ZooKeeper, whose KRaft
     * nodes keep ZooKeeper's cluster id) a KRaft log dir's cluster id is recorded too, the first time.
     */
    static void record(List<ServerSettings> servers, Path dataDir, boolean migrated) throws IOException {
        Problems ignored = new Problems();
        NodeFiles.Recorder now = new NodeFiles.Recorder();
        now.look(dataDir.resolve(STORAGE_RECORD), InputFiles.STATE_LIMIT);
        Properties recorded = readRecord(dataDir, now.files(), ignored);
        if (!ignored.isEmpty()) {
            return; // check() refused the start already
        }
        boolean added = false;
        for (ServerSettings f : servers) {
            if (f.zooKeeperMode() && recorded.getProperty(ZK_CLUSTER_ID) == null) {
                for (Path dir : f.allLogDirs()) {
                    Properties meta = meta(dir.resolve("meta.properties"));
                    String cluster = meta == null ? null : meta.getProperty("cluster.id");
                    if (cluster != null && !cluster.isBlank()) {
                        recorded.setProperty(ZK_CLUSTER_ID, cluster.strip());
                        added = true;
                        break;
                    }
                }
            }
            if (!f.kraft()) {
                continue;
            }
            for (Path dir : f.allLogDirs()) {
                Properties meta = meta(dir.resolve("meta.properties"));
                String cluster = meta == null ? null : meta.getProperty("cluster.id");
                if (migrated && cluster != null && !cluster.isBlank() && recorded.getProperty(ZK_CLUSTER_ID) == null) {
                    recorded.setProperty(ZK_CLUSTER_ID, cluster.strip());
                    added = true;
                }
                String id = meta == null ? null : meta.getProperty("directory.id");
                if (id != null && recorded.getProperty(dir.toString()) == null) {
                    recorded.setProperty(dir.toString(), id.strip());
                    added = true;
                }
            }
        }
        if (added) {
            Path file = dataDir.resolve(STORAGE_RECORD);
            Files.createDirectories(file.getParent());
            StringWriter text = new StringWriter();
            recorded.store(text, "directory.id of each KRaft log dir the dockhand agent saw formatted, and the cluster id of a "
                    + "ZooKeeper-mode broker; a meta.properties that names another is refused (its volume was swapped or formatted anew)");
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, text.toString());
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static Properties readRecord(Path dataDir, NodeFiles disk, Problems problems) {
        Properties p = new Properties();
        Path file = dataDir.resolve(STORAGE_RECORD);
        if (!disk.exists(file)) {
            return p;
        }
        try {
            p.load(new StringReader(disk.read(file, InputFiles.STATE_LIMIT)));
        } catch (InputFiles.Refused e) {
            problems.add("cannot check this node's KRaft storage: " + file + " " + e.getMessage() + "; nothing was changed");
        } catch (IOException | IllegalArgumentException e) {
            problems.add("cannot check this node's KRaft storage: " + file + " is not a properties file (" + e.getMessage()
                    + "); nothing was changed");
        }
        return p;
    }

    /** Kafka's default {@code reserved.broker.max.id}: the highest {@code broker.id} a ZooKeeper-mode broker may be given. */
    static final int RESERVED_BROKER_MAX_ID = 1000;

    /**
     * A ZooKeeper-mode broker's {@code broker.id} above its {@code reserved.broker.max.id} (Kafka's 1000,
     * or what {@code KAFKA_CFG_RESERVED_BROKER_MAX_ID} set in the rendered file): Kafka exits at start
     * ({@code broker.id must be ... not greater than reserved.broker.max.id}), so it is refused before,
     * naming the node, where its id came from, the limit and what to do. A KRaft node's {@code node.id}
     * has no such limit (any positive int, as the node list takes it).
     *
     * @param self this node's FQDN
     * @param idSource where this node's id came from (its position in the node list or its explicit id)
     */
    static void checkReservedBrokerId(List<ServerSettings> servers, String self, String idSource, Problems problems) {
        for (ServerSettings f : servers) {
            if (!f.zooKeeperMode()) {
                continue;
            }
            long id;
            try {
                id = Long.parseLong(f.id().strip());
            } catch (NumberFormatException e) {
                continue; // not the agent's id: nothing the node list can fix
            }
            String maxText = f.reservedBrokerMaxId();
            long max = RESERVED_BROKER_MAX_ID;
            String maxSource = "Kafka's default";
            if (maxText != null) {
                try {
                    max = Long.parseLong(maxText.strip());
                    maxSource = "set in " + f.file().getFileName() + " (KAFKA_CFG_RESERVED_BROKER_MAX_ID)";
                } catch (NumberFormatException e) {
                    problems.add(f.file() + ": reserved.broker.max.id '" + dev.dockhand.agent.core.Names.printable(maxText)
                            + "' is not a whole number (KAFKA_CFG_RESERVED_BROKER_MAX_ID); Kafka would not start");
                    continue;
                }
            }
            if (id > max) {
                problems.add("node " + self + ": broker.id " + id + " (" + idSource + ") is above reserved.broker.max.id " + max
                        + " (" + maxSource + "), and a ZooKeeper-mode broker exits at start with it; give the nodes explicit ids"
                        + " from 1 to " + max + " (id@fqdn in AGENT_NODES or --nodes) or set"
                        + " KAFKA_CFG_RESERVED_BROKER_MAX_ID=" + id + " or more");
            }
        }
    }

    private static Properties meta(Path file) {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try {
            Properties p = new Properties();
            p.load(new StringReader(InputFiles.read(file, InputFiles.STATE_LIMIT)));
            return p;
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    private static void checkMyid(RenderedFile f, NodeFiles disk, Problems problems) {
        if (!disk.exists(f.target())) {
            return;
        }
        try {
            String onDisk = disk.read(f.target(), InputFiles.STATE_LIMIT).strip();
            String rendered = f.content().strip();
            if (!onDisk.equals(rendered)) {
                problems.add("identity conflict: " + f.target() + " holds ZooKeeper id " + onDisk + " but this node would be id "
                        + rendered + "; the data volume belongs to another node, or the node list changed order. "
                        + "Mount this node's own volume or restore the node order (new nodes go at the end); nothing was changed");
            }
        } catch (InputFiles.Refused e) {
            problems.add("cannot check this node's identity: " + f.target() + " " + e.getMessage()
                    + "; it should hold this node's ZooKeeper id; nothing was changed");
        }
    }

    private static void checkKafka(ServerSettings f, String expectedClusterId, Properties recorded, NodeFiles disk, Problems problems) {
        String id = f.id();
        if (id == null || f.logDirs() == null) {
            return;
        }
        boolean kraft = f.kraft();
        // a KRaft node's cluster id is the one derived from the cluster name; a ZooKeeper-mode broker's is
        // ZooKeeper's, as recorded when first seen (or, before that, whichever its first log dir names)
        // a cluster migrated from ZooKeeper (expectedClusterId null) keeps ZooKeeper's id in KRaft mode too
        boolean zooKeeperId = !kraft || expectedClusterId == null;
        String clusterId = zooKeeperId ? recorded.getProperty(ZK_CLUSTER_ID)
                : f.clusterId() != null ? f.clusterId() : expectedClusterId;
        String who = kraft ? "node" : "broker";
        String clusterSource = zooKeeperId ? "this node's " + (kraft ? "Kafka" : "broker") + " belongs to cluster " : "this node is in cluster ";
        String clusterWhat = zooKeeperId ? "its id was recorded in " + STORAGE_RECORD
                + " of the data dir when the " + who + " first ran: mount this node's own volume" : "check AGENT_CLUSTER_NAME";
        List<Path> checked = kraft ? f.allLogDirs() : f.logDirs();
        for (Path dirPath : checked) {
            Path meta = dirPath.resolve("meta.properties");
            String was = kraft ? recorded.getProperty(dirPath.toString()) : null;
            if (!disk.exists(meta)) {
                if (was != null) {
                    problems.add("identity conflict: " + dirPath + " was formatted for this node (directory.id " + was
                            + ", recorded in " + STORAGE_RECORD + " of the data dir) but holds no meta.properties now: its volume is missing or was wiped, and formatting it again "
                            + "would make a new replica out of a lost one. Mount the node's volume; or, to give up its data, "
                            + "remove the node from the quorum first (kafka-metadata-quorum remove-controller, for a controller) and "
                            + "delete its line from " + STORAGE_RECORD + " in the data dir; nothing was changed");
                }
                continue;
            }
            Properties p = new Properties();
            try {
                p.load(new StringReader(disk.read(meta, InputFiles.STATE_LIMIT)));
            } catch (InputFiles.Refused e) {
                problems.add("cannot check this node's identity: " + meta + " " + e.getMessage()
                        + "; it should be the broker's own meta.properties; nothing was changed");
                continue;
            } catch (IOException | IllegalArgumentException e) {
                problems.add("cannot check this node's identity: " + meta + " is not a properties file (" + e.getMessage()
                        + "); nothing was changed");
                continue;
            }
            String onDisk = p.getProperty("broker.id", p.getProperty("node.id"));
            if (onDisk != null && !onDisk.strip().equals(id.strip())) {
                problems.add("identity conflict: " + meta + " holds broker id " + onDisk.strip() + " but this node would be broker "
                        + id.strip() + " (" + f.file().getFileName() + "); the data volume belongs to another node, or the node "
                        + "list changed order. Mount this node's own volume or restore the node order; nothing was changed");
            }
            String diskDir = p.getProperty("directory.id");
            if (was != null && diskDir != null && !diskDir.strip().equals(was)) {
                problems.add("identity conflict: " + meta + " holds directory.id " + diskDir.strip() + " but this node formatted "
                        + dirPath + " as directory.id " + was + " (recorded in " + STORAGE_RECORD + " of the data dir): the volume "
                        + "was swapped or formatted anew. Mount the node's own volume; nothing was changed");
            }
            String diskCluster = p.getProperty("cluster.id");
            if (clusterId != null && diskCluster != null && !diskCluster.strip().equals(clusterId.strip())) {
                problems.add("identity conflict: " + meta + " belongs to cluster " + diskCluster.strip() + " but " + clusterSource
                        + clusterId.strip() + "; " + clusterWhat + "; nothing was changed");
            } else if (clusterId == null && zooKeeperId && diskCluster != null && !diskCluster.isBlank()) {
                clusterId = diskCluster.strip(); // the other log dirs of this broker must agree with the first
                clusterSource = "the log dir " + dirPath + " belongs to cluster ";
                clusterWhat = "one broker's log dirs are of two clusters: mount this node's own volumes";
            }
        }
    }
}
