package dev.dockhand.agent.plan;

import dev.dockhand.agent.core.InputFiles;
import dev.dockhand.agent.core.Problems;
import dev.dockhand.agent.render.RenderPlan.RenderedFile;
import dev.dockhand.agent.render.RenderPlan;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Refuses to render over an identity already on disk: a ZooKeeper {@code myid}, or a Kafka
 * {@code meta.properties} in a log dir, whose id differs from the one about to be rendered means the
 * volume belongs to another node (or the node list changed order). Starting anyway would make two
 * nodes share an id, so the agent stops and names both values and the file. It never overwrites them.
 */
final class IdentityGuard {
    private IdentityGuard() {}

    static void check(RenderPlan plan, Problems problems) {
        for (RenderedFile f : plan.files()) {
            Path name = f.target().getFileName();
            if (name != null && name.toString().equals("myid")) {
                checkMyid(f, problems);
            } else if (f.content().contains("log.dirs") || f.content().contains("log.dir")) {
                checkKafka(f, problems);
            }
        }
    }

    private static void checkMyid(RenderedFile f, Problems problems) {
        if (!Files.exists(f.target(), LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            String onDisk = InputFiles.read(f.target(), InputFiles.STATE_LIMIT).strip();
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

    private static void checkKafka(RenderedFile f, Problems problems) {
        Properties rendered = new Properties();
        try {
            rendered.load(new StringReader(f.content()));
        } catch (IOException | IllegalArgumentException e) {
            return; // not a properties file
        }
        String id = rendered.getProperty("broker.id", rendered.getProperty("node.id"));
        String dirs = rendered.getProperty("log.dirs", rendered.getProperty("log.dir"));
        if (id == null || dirs == null) {
            return;
        }
        String clusterId = rendered.getProperty("process.roles") != null ? rendered.getProperty("cluster.id") : null;
        for (String dir : dirs.split(",")) {
            Path meta = f.target().getFileSystem().getPath(dir.strip(), "meta.properties");
            if (!Files.exists(meta, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            Properties p = new Properties();
            try {
                p.load(new StringReader(InputFiles.read(meta, InputFiles.STATE_LIMIT)));
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
                        + id.strip() + " (" + f.target().getFileName() + "); the data volume belongs to another node, or the node "
                        + "list changed order. Mount this node's own volume or restore the node order; nothing was changed");
            }
            String diskCluster = p.getProperty("cluster.id");
            if (clusterId != null && diskCluster != null && !diskCluster.strip().equals(clusterId.strip())) {
                problems.add("identity conflict: " + meta + " belongs to cluster " + diskCluster.strip() + " but this node is in cluster "
                        + clusterId.strip() + "; check AGENT_CLUSTER_NAME; nothing was changed");
            }
        }
    }
}
