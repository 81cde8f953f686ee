package dev.dockhand.agent.plan;

import dev.dockhand.agent.catalog.Catalog;
import dev.dockhand.agent.catalog.CatalogReader;
import dev.dockhand.agent.catalog.ClusterConfig;
import dev.dockhand.agent.catalog.MigrationPhase;
import dev.dockhand.agent.catalog.Security;
import dev.dockhand.agent.core.InvalidInputException;
import dev.dockhand.agent.core.Names;
import dev.dockhand.agent.core.Problems;
import dev.dockhand.agent.metadata.HostInfo;
import dev.dockhand.agent.metadata.MetadataResolver;
import dev.dockhand.agent.metadata.NodeIdentity;
import dev.dockhand.agent.metadata.Sourced;
import dev.dockhand.agent.render.NodeContext;
import dev.dockhand.agent.render.Paths;
import dev.dockhand.agent.render.RenderPlan;
import dev.dockhand.agent.render.Renderer;
import dev.dockhand.agent.resources.ContainerLimits;
import dev.dockhand.agent.security.Users;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The read half of planning: every outside fact a node's plan needs, read once into a {@link NodeFacts}
 * (the catalog, the node's identity, its CA and users, the defaults that exist on this machine, the
 * templates, what its volume holds). {@link Planner#plan} then makes the plan from that value alone.
 */
public final class PlanReader {
    private PlanReader() {}

    /**
     * Steps 1-2, identity and validation: every problem of the catalog and the identity together.
     * Paths: flag &gt; env &gt; image default (if it exists) &gt; checkout default.
     *
     * @param javaHome the agent's own Java, whose {@code bin/java} the services run unless AGENT_JAVA says otherwise
     * @param now the time a secured node's CA is checked against
     */
    public static Planner.Resolved resolve(PlanInputs in, Map<String, String> env, FileSystem fs, HostInfo host, String javaHome,
            Instant now) {
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
        String java = env.getOrDefault("AGENT_JAVA", fs.getPath(javaHome, "bin", "java").toString());
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
        Sourced<MigrationPhase> migration = Migration.choose(env, config, security, problems);
        NodeSecurity.Inputs secured = null;
        if (security != null && security.value() == Security.TLS) {
            secured = NodeSecurity.read(env, fs, now, identity.self().value(), problems);
        }
        problems.throwIfAny();
        return new Planner.Resolved(catalog, identity,
                new NodeContext(catalog, identity, paths, security, secured == null ? null : NodeSecurity.usersCopy(paths.confDir().resolve("tls")),
                        migration),
                catalogPath, secured);
    }

    /**
     * The files the plan of {@code node} looks at, read now: the templates and {@code *_FILE} values its
     * render reads (found by rendering once, which reads nothing else), then what its volume holds where
     * that render puts the node's identity and storage.
     */
    public static NodeFacts read(Planner.Resolved node, Map<String, String> env, ContainerLimits limits, Instant now) {
        NodeFiles.Recorder disk = new NodeFiles.Recorder();
        NodeContext ctx = node.context();
        RenderPlan render = new Renderer(ctx, env, Sizing.heaps(ctx.services(), env, limits).heaps(), disk).plan();
        List<ServerSettings> servers = ServerSettings.of(render.files());
        IdentityGuard.look(render, servers, ctx.paths().dataDir(), disk);
        Migration.look(ctx, servers, disk);
        if (node.secured() != null) {
            disk.look(NodeSecurity.hashedUsers(ctx.paths().confDir().resolve("tls")), Users.FILE_LIMIT);
        }
        return new NodeFacts(node, env, limits, now, disk.files());
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
}
