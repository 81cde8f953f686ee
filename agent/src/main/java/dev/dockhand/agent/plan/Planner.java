package dev.dockhand.agent.plan;

import dev.dockhand.agent.catalog.Catalog;
import dev.dockhand.agent.catalog.CatalogReader;
import dev.dockhand.agent.catalog.ClusterConfig;
import dev.dockhand.agent.catalog.Security;
import dev.dockhand.agent.metadata.Sourced;
import java.time.Instant;
import dev.dockhand.agent.catalog.HealthSpec;
import dev.dockhand.agent.catalog.ProbeSpec;
import dev.dockhand.agent.catalog.ServiceSpec;
import dev.dockhand.agent.core.InputFiles;
import dev.dockhand.agent.core.InvalidInputException;
import dev.dockhand.agent.core.Names;
import dev.dockhand.agent.core.Problems;
import dev.dockhand.agent.metadata.HostInfo;
import dev.dockhand.agent.metadata.MetadataResolver;
import dev.dockhand.agent.metadata.Node;
import dev.dockhand.agent.metadata.NodeIdentity;
import dev.dockhand.agent.plan.NodePlan.Endpoint;
import dev.dockhand.agent.plan.NodePlan.PlannedService;
import dev.dockhand.agent.plan.NodePlan.RemoteDependency;
import dev.dockhand.agent.render.FileWriter;
import dev.dockhand.agent.render.NodeContext;
import dev.dockhand.agent.render.Paths;
import dev.dockhand.agent.render.RenderPlan;
import dev.dockhand.agent.render.Renderer;
import dev.dockhand.agent.render.ServiceIds;
import dev.dockhand.agent.resources.ContainerLimits;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Steps 1-5 of the start sequence (docs/supervision.md), for check, render and run alike: from the catalog, the
 * node's identity, its limits and its env to a {@link NodePlan}, every problem of a step reported
 * together. Nothing here writes or starts anything but {@link #write}.
 */
public final class Planner {
    /** Local probes go to loopback: every service listens on all addresses, and no name lookup can fail. */
    static final String LOCAL_PROBE_HOST = "127.0.0.1";

    private Planner() {}

    /**
     * The result of steps 1-2: the catalog, who this node is, and every macro's value.
     *
     * @param secured a secured node's CA, users and certificate lifetime; null on a plaintext node
     */
    public record Resolved(Catalog catalog, NodeIdentity identity, NodeContext context, Path catalogPath, NodeSecurity.Inputs secured) {}

    /**
     * Steps 1-2, identity and validation: every problem of the catalog and the identity together.
     * Paths: flag &gt; env &gt; image default (if it exists) &gt; checkout default.
     */
    public static Resolved resolve(PlanInputs in, Map<String, String> env, FileSystem fs, HostInfo host) {
        Path cwd = fs.getPath("").toAbsolutePath();
        Path catalogPath = pick(fs, in.catalog(), env.get("AGENT_CATALOG"), "/etc/agent/catalog.json", cwd.resolve("templates/catalog.json"));
        Problems problems = new Problems();
        Catalog catalog = null;
        try {
            catalog = CatalogReader.read(catalogPath);
        } catch (InvalidInputException e) {
            problems.addAll(e.problems());
        }
        NodeIdentity identity = null;
        try {
            identity = new MetadataResolver(fs, host).resolve(in.metadata(), env);
        } catch (InvalidInputException e) {
            problems.addAll(e.problems());
        }
        if (catalog != null && identity != null) {
            IdentityCheck.check(catalog, identity, problems);
        }
        problems.throwIfAny();

        Path templates = pick(fs, in.templates(), env.get("AGENT_TEMPLATES"), "/etc/agent/templates", catalogPath.toAbsolutePath().getParent());
        Path dataDir = pick(fs, in.dataDir(), env.get("AGENT_DATA_DIR"), "/var/lib/dockhand", cwd.resolve("data"));
        Path out = in.out() != null ? fs.getPath(in.out())
                : env.get("AGENT_CONF_DIR") != null ? fs.getPath(env.get("AGENT_CONF_DIR")) : dataDir.resolve("conf");
        Path home = pick(fs, in.home(), env.get("AGENT_HOME"), "/opt/dockhand", cwd.resolve("image/target/dist"));
        String java = env.getOrDefault("AGENT_JAVA", fs.getPath(System.getProperty("java.home"), "bin", "java").toString());
        Paths paths = new Paths(templates.toAbsolutePath(), out.toAbsolutePath(), dataDir.toAbsolutePath(), home.toAbsolutePath(),
                java, in.agentHttpPort());
        // the paths land in rendered files (dataDir=, log.dirs=, -Dlog4j.configuration=): no control
        // character, no backslash (a properties escape), whatever the flag or variable said
        for (String p : List.of(paths.templates().toString(), paths.confDir().toString(), paths.dataDir().toString(),
                paths.homeDir().toString(), paths.java())) {
            if (Names.hasControl(p) || p.indexOf('\\') >= 0) {
                problems.add("the path '" + Names.printable(p) + "' (from --templates/--out/--data-dir/--home or "
                        + "AGENT_TEMPLATES/AGENT_CONF_DIR/AGENT_DATA_DIR/AGENT_HOME/AGENT_JAVA) has a control character or a "
                        + "backslash; choose a plain path");
            }
        }
        ClusterConfig config = catalog.clusterConfig(identity.clusterConfig().value()).orElseThrow();
        Sourced<Security> security = NodeSecurity.choose(env, config.security(), config.id(), problems);
        Sourced<dev.dockhand.agent.catalog.MigrationPhase> migration = Migration.choose(env, config, security, problems);
        NodeSecurity.Inputs secured = null;
        if (security != null && security.value() == Security.TLS) {
            secured = NodeSecurity.read(env, fs, Instant.now(), identity.self().value(), problems);
        }
        problems.throwIfAny();
        return new Resolved(catalog, identity,
                new NodeContext(catalog, identity, paths, security, secured == null ? null : NodeSecurity.usersCopy(paths.confDir().resolve("tls")),
                        migration),
                catalogPath, secured);
    }

    /**
     * Steps 3-5 in memory: sizing from {@code limits} (and {@code AGENT_MEMORY_MB}), render, then the
     * identity guard against what is on disk.
     */
    public static NodePlan plan(Resolved node, Map<String, String> env, ContainerLimits limits) {
        return plan(node, env, limits, null, Instant.now(), false);
    }

    /**
     * As {@link #plan(Resolved, Map, ContainerLimits)}; a secured node keeps {@code current} certificates
     * (a reload's) unless they no longer fit or {@code renew} is asked, else issues new ones at {@code now}.
     */
    public static NodePlan plan(Resolved node, Map<String, String> env, ContainerLimits limits, NodeSecurity.Certificates current,
            Instant now, boolean renew) {
        NodeContext ctx = node.context();
        Sizing.Result sizing = Sizing.heaps(ctx.services(), env, limits);
        RenderPlan render = new Renderer(ctx, env, sizing.heaps()).plan();
        NodeSecurity.Certificates certificates = null;
        List<RenderPlan.RenderedFile> files = new ArrayList<>(render.files());
        if (node.secured() != null) {
            certificates = NodeSecurity.certificates(ctx, node.secured(), current, now, renew);
            files.addAll(NodeSecurity.files(ctx.paths().confDir().resolve("tls"), node.secured(), certificates,
                    ctx.services().stream().anyMatch(s -> READS_USERS.contains(s.id()))));
        }
        Problems problems = new Problems();
        var selfId = ctx.values().get(dev.dockhand.agent.catalog.Macro.UNIQUE_SELF_NODE_INT);
        IdentityGuard.checkReservedBrokerId(render, node.identity().self().value(), selfId.source().toString(), problems);
        // a cluster migrated from ZooKeeper keeps ZooKeeper's cluster id, as recorded when first seen
        IdentityGuard.check(render, ctx.migration() != null ? null : ctx.values().get(dev.dockhand.agent.catalog.Macro.CLUSTER_ID).value(),
                ctx.paths().dataDir(), problems);
        Migration.checkDisk(render, ctx.migration(), problems);
        problems.throwIfAny();

        var id = node.identity();
        int controllerPort = ctx.catalog().service(ServiceIds.KRAFT_CONTROLLER).map(ServiceSpec::port).orElse(0);
        List<Endpoint> controllers = ctx.controllerNodes().stream().map(n -> new Endpoint(n.fqdn(), controllerPort)).toList();
        NodePlan.NodeInfo info = new NodePlan.NodeInfo(id.role().value(), ctx.nodeId(), id.self().value(),
                id.clusterName().value(), id.clusterConfig().value(), controllers,
                ctx.migration() == null ? null : ctx.migration().value().id);
        List<String> local = render.commands().stream().map(RenderPlan.ResolvedCommand::serviceId).toList();
        List<PlannedService> services = new ArrayList<>();
        for (RenderPlan.ResolvedCommand c : render.commands()) {
            ServiceSpec spec = ctx.catalog().service(c.serviceId()).orElseThrow();
            List<String> localWaits = new ArrayList<>();
            List<RemoteDependency> remote = new ArrayList<>();
            for (String dep : ctx.catalog().waitsOf(spec.id())) {
                if (!ctx.config().runs(dep)) {
                    continue; // a wait for a service this cluster config runs nowhere is void under it
                }
                if (local.contains(dep)) {
                    localWaits.add(dep);
                } else {
                    remote.add(remote(ctx, ctx.catalog().service(dep).orElseThrow()));
                }
            }
            RemoteDependency precondition = Migration.precondition(ctx, spec, render);
            if (precondition != null) {
                remote.add(precondition);
            }
            ProbeSpec probe = probe(spec, ctx.security());
            int port = probe.port() > 0 ? probe.port() : spec.peerPort(ctx.security());
            List<NodePlan.Peer> peers = ctx.nodesRunning(spec.id()).stream().map(n -> new NodePlan.Peer(ctx.idOf(n), n.fqdn(), port)).toList();
            services.add(new PlannedService(spec, c, localWaits, remote, LOCAL_PROBE_HOST, probe, peers, registration(ctx, spec, render)));
        }
        List<RenderPlan.Explained> explain = new ArrayList<>(render.explain());
        if (certificates != null) {
            explain.addAll(NodeSecurity.explain(certificates, node.secured()));
        }
        return new NodePlan(info, id, services, files, explain, sizing.lines(), ctx.paths().dataDir(), node.catalogPath(),
                ctx.security(), certificates);
    }

    /**
     * The services that read the users' passwords: the step that gives them their logins and ACLs, and the
     * KRaft controllers, whose first format puts their SCRAM credentials into the bootstrap metadata.
     */
    static final Set<String> READS_USERS = Set.of(ServiceIds.KAFKA_ACCESS, ServiceIds.KRAFT_CONTROLLER, ServiceIds.KRAFT_COMBINED);

    /** A service's probe at the port the agent asks on this node: a secured broker's internal listener. */
    private static ProbeSpec probe(ServiceSpec spec, Security security) {
        ProbeSpec p = spec.health().probe();
        if (p instanceof ProbeSpec.KafkaQuorum q && q.brokerPort() == spec.port() && spec.peerPort(security) != spec.port()) {
            // a combined node's broker, asked where the nodes are served: its mutual-TLS listener when secured
            p = new ProbeSpec.KafkaQuorum(q.port(), spec.peerPort(security));
        }
        return p.port() == spec.port() ? p.atPort(spec.peerPort(security)) : p;
    }

    /**
     * Where a ZooKeeper-mode broker registers, or null for any other service. Read from the broker's
     * server.properties as rendered in memory (as {@link IdentityGuard} reads broker.id): the template's
     * values, the migration phase's settings and the env overrides meet only there, and it is the file
     * the broker itself reads.
     */
    static NodePlan.ZooKeeperRegistration registration(NodeContext ctx, ServiceSpec spec, RenderPlan render) {
        var zk = ctx.catalog().service(dev.dockhand.agent.render.ServiceIds.ZOOKEEPER);
        if (spec.overrides() == null || !(spec.health().probe() instanceof ProbeSpec.Kafka) || zk.isEmpty()
                || !ctx.config().runs(zk.get().id())) {
            return null;
        }
        Path target = ctx.paths().confDir().resolve(spec.overrides().file()).normalize();
        for (RenderPlan.RenderedFile f : render.files()) {
            if (!f.service().equals(spec.id()) || !f.target().equals(target)) {
                continue;
            }
            java.util.Properties p = IdentityGuard.zooKeeperModeProperties(f);
            if (p == null || p.getProperty("zookeeper.connect") == null) {
                return null;
            }
            try {
                int id = Integer.parseInt(p.getProperty("broker.id").strip());
                long timeout = Long.parseLong(p.getProperty("zookeeper.session.timeout.ms", String.valueOf(KAFKA_SESSION_TIMEOUT_MS)).strip());
                return id < 0 || timeout <= 0 ? null
                        : new NodePlan.ZooKeeperRegistration(id, java.time.Duration.ofMillis(timeout), remote(ctx, zk.get()).endpoints());
            } catch (NumberFormatException e) {
                return null; // the broker refuses such a file itself, and says why
            }
        }
        return null;
    }

    /** Kafka's default {@code zookeeper.session.timeout.ms}. */
    static final long KAFKA_SESSION_TIMEOUT_MS = 18_000;

    /** A service of other nodes, probed there, ready when its catalog's quorum of them answers. */
    private static RemoteDependency remote(NodeContext ctx, ServiceSpec dep) {
        HealthSpec h = dep.health();
        if (h.probe().port() == dep.port()) {
            h = new HealthSpec(probe(dep, ctx.security()), h.interval(), h.timeout(), h.failureThreshold(), h.startupTimeout(), h.restartAfter());
        }
        int port = h.probe().port() > 0 ? h.probe().port() : dep.peerPort(ctx.security());
        if (h.probe() instanceof ProbeSpec.Exec || h.probe() instanceof ProbeSpec.None) {
            // nothing to ask over the network: an accepting port is what "ready" can mean from here
            h = new HealthSpec(new ProbeSpec.Tcp(port), h.interval(), h.timeout(), h.failureThreshold(), h.startupTimeout(), null);
        }
        List<Endpoint> endpoints = ctx.nodesRunning(dep.id()).stream().map(Node::fqdn).map(host -> new Endpoint(host, port)).toList();
        return new RemoteDependency(dep.id(), endpoints, h, dep.quorum().required(endpoints.size()));
    }

    /** For check and run: every service's executable, jar and class path exist (see {@link Commands}). */
    public static void checkRunnable(NodePlan plan) {
        Problems problems = new Problems();
        Commands.check(plan, problems);
        problems.throwIfAny();
    }

    /** What {@link #write} did: the files considered, and the services one of whose files changed. */
    public record Written(List<FileWriter.Written> files, Set<String> changedServices) {}

    /**
     * Creates the data dir and every service's dirs (0750), checks the data dir is writable, and writes
     * the plan's files atomically (see {@link FileWriter}). Nothing is written when a dir cannot be made.
     */
    public static Written write(NodePlan plan) {
        Path data = plan.dataDir();
        try {
            FileWriter.createDirectories(data);
            for (PlannedService s : plan.services()) {
                for (Path d : s.command().dataDirs()) {
                    FileWriter.createDirectories(d);
                }
            }
            Path probe = Files.createTempFile(data, ".agent-write-check", ".tmp");
            Files.delete(probe);
        } catch (AccessDeniedException e) {
            throw new InvalidInputException("data dir " + data + " is not writable by the agent's user (uid "
                    + uid() + "): " + e.getFile() + ": permission denied; give the volume to that user "
                    + "(in the image: dockhand, uid 1000) or run with another AGENT_DATA_DIR");
        } catch (FileSystemException e) {
            throw new InvalidInputException("data dir " + data + " cannot be used: " + e.getFile() + ": "
                    + (e.getReason() == null ? e.getClass().getSimpleName() : e.getReason()));
        } catch (IOException e) {
            throw new InvalidInputException("data dir " + data + " cannot be used: " + InputFiles.reason(e));
        }
        List<FileWriter.Written> written = FileWriter.write(plan.files());
        try {
            IdentityGuard.record(plan.files(), data, plan.node().migrationPhase() != null);
            Migration.markWaits(plan);
        } catch (IOException e) {
            throw new InvalidInputException("data dir " + data + ": cannot record the KRaft log dirs' identity in "
                    + IdentityGuard.STORAGE_RECORD + ": " + InputFiles.reason(e));
        }
        Set<String> changed = new LinkedHashSet<>();
        written.stream().filter(FileWriter.Written::changed).forEach(w -> changed.add(w.service()));
        return new Written(written, changed);
    }

    /** flag > env > image default (if it exists) > checkout default. */
    private static Path pick(FileSystem fs, String flag, String envValue, String imageDefault, Path checkoutDefault) {
        if (flag != null && !flag.isBlank()) {
            return fs.getPath(flag);
        }
        if (envValue != null && !envValue.isBlank()) {
            return fs.getPath(envValue);
        }
        Path image = fs.getPath(imageDefault);
        return Files.exists(image) ? image : checkoutDefault;
    }

    private static String uid() {
        try {
            return String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return System.getProperty("user.name");
        }
    }
}
