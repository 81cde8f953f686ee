package dev.dockhand.agent.cli;

import dev.dockhand.agent.core.InvalidInputException;
import dev.dockhand.agent.catalog.Catalog;
import dev.dockhand.agent.catalog.CatalogReader;
import dev.dockhand.agent.core.Problems;
import dev.dockhand.agent.metadata.HostInfo;
import dev.dockhand.agent.metadata.MetadataResolver;
import dev.dockhand.agent.metadata.NodeIdentity;
import dev.dockhand.agent.render.IdentityCheck;
import dev.dockhand.agent.render.IdentityGuard;
import dev.dockhand.agent.render.NodeContext;
import dev.dockhand.agent.render.Paths;
import dev.dockhand.agent.render.RenderPlan;
import dev.dockhand.agent.render.Renderer;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Steps 1-5 of the start sequence, shared by check, render and run: identity, validation, identity
 * guard, sizing, render (in memory). Every problem of a step is reported together.
 */
final class NodeSetup {
    final Catalog catalog;
    final NodeIdentity identity;
    final NodeContext context;
    final Path catalogPath;
    final List<String> sizingLines = new ArrayList<>();
    final Map<String, String> env;

    private NodeSetup(Catalog catalog, NodeIdentity identity, NodeContext context, Path catalogPath,
            Map<String, String> env) {
        this.catalog = catalog;
        this.identity = identity;
        this.context = context;
        this.catalogPath = catalogPath;
        this.env = env;
    }

    /**
     * Identity and validation on this machine's file system and host name, for check and render: the
     * agent's HTTP port (for the macros) from {@code AGENT_HTTP_PORT}.
     */
    static NodeSetup resolve(NodeOptions o, Map<String, String> env) {
        return resolve(o, env, ControlOptions.httpPort(null, env));
    }

    /** The same for run, whose --http-port may name another port. */
    static NodeSetup resolve(NodeOptions o, Map<String, String> env, int agentHttpPort) {
        return resolve(o, env, agentHttpPort, java.nio.file.FileSystems.getDefault(), HostInfo.system());
    }

    /** Identity and validation: every problem of the catalog and the identity together. */
    static NodeSetup resolve(NodeOptions o, Map<String, String> env, int agentHttpPort, FileSystem fs, HostInfo host) {
        Path cwd = fs.getPath("").toAbsolutePath();
        Path catalogPath = pick(fs, o.catalog, env.get("AGENT_CATALOG"), "/etc/agent/catalog.json", cwd.resolve("templates/catalog.json"));
        Problems problems = new Problems();
        Catalog catalog = null;
        try {
            catalog = CatalogReader.read(catalogPath);
        } catch (InvalidInputException e) {
            problems.addAll(e.problems());
        }
        NodeIdentity identity = null;
        try {
            identity = new MetadataResolver(fs, host).resolve(o.metadataInputs(), env);
        } catch (InvalidInputException e) {
            problems.addAll(e.problems());
        }
        if (catalog != null && identity != null) {
            IdentityCheck.check(catalog, identity, problems);
        }
        problems.throwIfAny();

        Path templates = pick(fs, o.templates, env.get("AGENT_TEMPLATES"), "/etc/agent/templates", catalogPath.toAbsolutePath().getParent());
        Path dataDir = pick(fs, o.dataDir, env.get("AGENT_DATA_DIR"), "/var/lib/dockhand", cwd.resolve("data"));
        Path out = o.out != null ? fs.getPath(o.out) : env.get("AGENT_CONF_DIR") != null ? fs.getPath(env.get("AGENT_CONF_DIR")) : dataDir.resolve("conf");
        Path home = pick(fs, o.home, env.get("AGENT_HOME"), "/opt/dockhand", cwd.resolve("image/target/dist"));
        String java = env.getOrDefault("AGENT_JAVA", fs.getPath(System.getProperty("java.home"), "bin", "java").toString());
        Paths paths = new Paths(templates.toAbsolutePath(), out.toAbsolutePath(), dataDir.toAbsolutePath(), home.toAbsolutePath(), java, agentHttpPort);
        // the paths land in rendered files (dataDir=, log.dirs=, -Dlog4j.configuration=): no control
        // character, no backslash (a properties escape), whatever the flag or variable said
        for (String p : List.of(paths.templates().toString(), paths.confDir().toString(), paths.dataDir().toString(),
                paths.homeDir().toString(), paths.java())) {
            if (dev.dockhand.agent.core.Names.hasControl(p) || p.indexOf('\\') >= 0) {
                problems.add("the path '" + dev.dockhand.agent.core.Names.printable(p) + "' (from --templates/--out/--data-dir/--home or "
                        + "AGENT_TEMPLATES/AGENT_CONF_DIR/AGENT_DATA_DIR/AGENT_HOME/AGENT_JAVA) has a control character or a "
                        + "backslash; choose a plain path");
            }
        }
        problems.throwIfAny();
        return new NodeSetup(catalog, identity, new NodeContext(catalog, identity, paths), catalogPath, env);
    }

    /** Sizing from this machine's limits, render in memory, then the identity guard against what is on disk. */
    RenderPlan plan() {
        RenderPlan plan = new Renderer(context, env, Sizing.heaps(this)).plan();
        Problems problems = new Problems();
        IdentityGuard.check(plan, problems);
        problems.throwIfAny();
        return plan;
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
