package dev.dockhand.agent.plan;

import dev.dockhand.agent.render.RenderPlan.RenderedFile;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * What a Kafka server's config says about who the server is and where its data lives: taken once per
 * plan from the render (the template's values, the migration phase's settings and the env overrides meet
 * only in the file Kafka itself reads), then carried as data. The identity guard, the migration's rules
 * and a broker's registration take these facts; none of them reads the text.
 *
 * @param service the service the file belongs to
 * @param file where it is rendered
 * @param kraft whether it runs in KRaft mode ({@code process.roles} set)
 * @param id its {@code broker.id}, else its {@code node.id}, as written; null when neither
 * @param logDirs {@code log.dirs} (else {@code log.dir}), each entry; null when neither is set
 * @param metadataLogDir {@code metadata.log.dir}, or null
 * @param clusterId {@code cluster.id} as set in the file, or null
 * @param reservedBrokerMaxId {@code reserved.broker.max.id} as written, or null
 * @param zookeeperConnect {@code zookeeper.connect}, or null
 * @param sessionTimeoutMs {@code zookeeper.session.timeout.ms} as written, or null
 * @param brokerIdSet whether {@code id} is a {@code broker.id}
 */
record ServerSettings(String service, Path file, boolean kraft, String id, List<Path> logDirs, Path metadataLogDir, String clusterId,
        String reservedBrokerMaxId, String zookeeperConnect, String sessionTimeoutMs, boolean brokerIdSet) {

    ServerSettings {
        logDirs = logDirs == null ? null : List.copyOf(logDirs);
    }

    /** A ZooKeeper-mode broker's config: a {@code broker.id}, no {@code process.roles}. */
    boolean zooKeeperMode() {
        return !kraft && brokerIdSet;
    }

    /** Every rendered file that is a Kafka server's config (a properties file naming a broker or node id, or process roles). */
    static List<ServerSettings> of(List<RenderedFile> files) {
        List<ServerSettings> out = new ArrayList<>();
        for (RenderedFile f : files) {
            ServerSettings s = of(f);
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    /** The settings of the config {@code service} renders at {@code file}, or null. */
    static ServerSettings find(List<ServerSettings> servers, String service, Path file) {
        return servers.stream().filter(s -> s.service().equals(service) && s.file().equals(file)).findFirst().orElse(null);
    }

    /** The settings of {@code service}'s {@code server.properties}, or null. */
    static ServerSettings serverProperties(List<ServerSettings> servers, String service) {
        return servers.stream().filter(s -> s.service().equals(service) && s.file().getFileName().toString().equals("server.properties"))
                .findFirst().orElse(null);
    }

    /** Its log dirs and its metadata log dir: every dir a KRaft server formats. */
    List<Path> allLogDirs() {
        List<Path> out = new ArrayList<>(logDirs == null ? List.of() : logDirs);
        if (metadataLogDir != null) {
            out.add(metadataLogDir);
        }
        return out;
    }

    /** {@code text} as a path of {@code near}'s file system, made without asking that file system for anything. */
    private static Path path(Path near, String text) {
        return near.relativize(near).resolve(text);
    }

    private static ServerSettings of(RenderedFile f) {
        String text = f.content();
        if (!text.contains("broker.id") && !text.contains("node.id") && !text.contains("process.roles")) {
            return null;
        }
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            return null; // not a properties file
        }
        String brokerId = p.getProperty("broker.id");
        String roles = p.getProperty("process.roles");
        if (brokerId == null && p.getProperty("node.id") == null && roles == null) {
            return null;
        }
        String dirs = p.getProperty("log.dirs", p.getProperty("log.dir"));
        List<Path> logDirs = null;
        if (dirs != null) {
            logDirs = new ArrayList<>();
            for (String d : dirs.split(",")) {
                if (!d.isBlank()) {
                    logDirs.add(path(f.target(), d.strip()));
                }
            }
        }
        String metadata = p.getProperty("metadata.log.dir");
        Path metadataDir = metadata == null || metadata.isBlank() ? null : path(f.target(), metadata.strip());
        return new ServerSettings(f.service(), f.target(), roles != null, brokerId != null ? brokerId : p.getProperty("node.id"),
                logDirs, metadataDir, p.getProperty("cluster.id"), p.getProperty("reserved.broker.max.id"),
                p.getProperty("zookeeper.connect"), p.getProperty("zookeeper.session.timeout.ms"), brokerId != null);
    }
}
