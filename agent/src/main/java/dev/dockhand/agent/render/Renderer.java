package dev.dockhand.agent.render;

import dev.dockhand.agent.catalog.Autogen;
import dev.dockhand.agent.catalog.Macro;
import dev.dockhand.agent.catalog.MigrationPhase;
import dev.dockhand.agent.catalog.OverrideSpec;
import dev.dockhand.agent.catalog.PrepareStep;
import dev.dockhand.agent.catalog.Security;
import dev.dockhand.agent.catalog.ServiceSpec;
import dev.dockhand.agent.catalog.TemplateSpec;
import dev.dockhand.agent.core.InputFiles;
import dev.dockhand.agent.core.InvalidInputException;
import dev.dockhand.agent.core.Problems;
import dev.dockhand.agent.metadata.Node;
import dev.dockhand.agent.metadata.Placement;
import dev.dockhand.agent.metadata.Sourced;
import dev.dockhand.agent.render.RenderPlan.Explained;
import dev.dockhand.agent.render.RenderPlan.RenderedFile;
import dev.dockhand.agent.render.RenderPlan.ResolvedCommand;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders this node's configuration: for every service its role runs, every template with the
 * catalog's autogen patterns and the {@code @@MACRO@@} tokens replaced and the env overrides
 * applied; every service's command and environment; and the catalog's node templates (the tools'
 * client configs), which every node renders with its node macros whatever its role. Pure: reads
 * templates, computes text; {@link FileWriter} writes.
 */
public final class Renderer {
    private static final Pattern TOKEN = Pattern.compile("@@([A-Za-z0-9_.\\-]+)@@");
    private static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** The owner of the files rendered from node templates, where a service id stands for the others. */
    public static final String NODE_SCOPE = "node";

    /** A service's heap and how it was sized. */
    public record Heap(int mb, String how) {}

    private final NodeContext ctx;
    private final Map<String, String> env;
    private final Map<String, Heap> heaps;
    private final FileSystem fs;
    private final InputFiles.Reader files;

    /**
     * @param env the agent's environment (overrides, PATH)
     * @param heaps heap per service id, from the sizing
     */
    public Renderer(NodeContext ctx, Map<String, String> env, Map<String, Heap> heaps) {
        this(ctx, env, heaps, InputFiles.DISK);
    }

    /** @param files where the templates and the {@code *_FILE} values are read: the disk, or what a read step took from it */
    public Renderer(NodeContext ctx, Map<String, String> env, Map<String, Heap> heaps, InputFiles.Reader files) {
        this.ctx = ctx;
        this.env = Map.copyOf(env);
        this.heaps = Map.copyOf(heaps);
        this.fs = ctx.paths().templates().getFileSystem();
        this.files = files;
    }

    /** Renders everything in memory; every problem at once as an {@link InvalidInputException}. */
    public RenderPlan plan() {
        Problems problems = new Problems();
        List<RenderedFile> files = new ArrayList<>();
        List<ResolvedCommand> services = new ArrayList<>();
        List<Explained> explain = new ArrayList<>();
        ctx.values().forEach((m, v) -> explain.add(new Explained("node", m.name(), v.value(), v.source().toString())));
        List<String> serviceIds = ctx.services().stream().map(ServiceSpec::id).toList();
        OtherImages.refuseOwnedScriptVars(serviceIds, env, problems);
        LogLevels.check(serviceIds, env, problems);
        Map<Node, Outside.Address> outside = Outside.addresses(ctx, problems);
        Outside.Address outsideSelf = ctx.identity().selfNode().map(outside::get).orElse(null);

        for (ServiceSpec s : ctx.services()) {
            Heap heap = heaps.getOrDefault(s.id(), new Heap(Math.max(64, s.memory().minHeapMb()), "minimum heap (no sizing)"));
            Map<Macro, Sourced<String>> macros = ctx.forService(s, heap.mb(), heap.how());
            explain.add(new Explained(s.id(), "SERVICE_HEAP", macros.get(Macro.SERVICE_HEAP).value(), heap.how()));

            String where = "catalog services." + s.id();
            List<String> argv = new ArrayList<>();
            for (String arg : s.command()) {
                if (arg.equals("@@" + Macro.SERVICE_HEAP.name() + "@@")) {
                    argv.addAll(List.of(macros.get(Macro.SERVICE_HEAP).value().split(" ")));
                } else {
                    argv.add(tokens(arg, macros, Map.of(), where + ".command", problems));
                }
            }
            argv = OtherImages.jvmCommand(s.id(), argv, env);
            Map<String, String> serviceEnv = new LinkedHashMap<>();
            serviceEnv.put("PATH", env.getOrDefault("PATH", DEFAULT_PATH));
            serviceEnv.put("LANG", env.getOrDefault("LANG", "C.UTF-8"));
            serviceEnv.put("HOME", ctx.paths().dataDir().toString());
            s.env().forEach((k, v) -> serviceEnv.put(k, tokens(v, macros, Map.of(), where + ".env." + k, problems)));

            List<Path> dataDirs = s.dataDirs().stream()
                    .map(d -> ctx.paths().dataDir().resolve(tokens(d, macros, Map.of(), where + ".dataDirs", problems)))
                    .toList();
            Path logFile = s.log() == null || s.log().file() == null ? null
                    : ctx.paths().dataDir().resolve(tokens(s.log().file(), macros, Map.of(), where + ".log.file", problems));

            for (List<TemplateSpec> parts : byTarget(s.templates())) {
                TemplateSpec t = parts.get(0);
                Path templates = ctx.paths().templates();
                Path source = templates.resolve(t.source()).normalize();
                String target = tokens(t.target(), macros, Map.of(), where + ".templates", problems);
                Path targetPath = ctx.paths().confDir().resolve(target).normalize();
                if (!inside(targetPath)) {
                    problems.add("target " + target + " of template " + t.source() + " (service " + s.id()
                            + ") is outside the conf dir and the data dir");
                    continue;
                }
                Map<String, Sourced<String>> patterns = new LinkedHashMap<>();
                for (Autogen a : ctx.catalog().autogen()) {
                    if (a.file().equals(t.target())) {
                        Macro.named(a.macro()).ifPresent(m -> {
                            patterns.put(a.pattern(), macros.get(m));
                            explain.add(new Explained(s.id(), a.pattern() + " in " + t.target(), macros.get(m).value(),
                                    "autogen macro " + m.name()));
                        });
                    }
                }
                StringBuilder joined = new StringBuilder();
                boolean complete = true;
                for (TemplateSpec part : parts) {
                    String text = read(templates, part.source(), "service " + s.id(), problems);
                    if (text == null) {
                        complete = false;
                        continue;
                    }
                    appendPart(joined, tokens(text, macros, patterns, templates.resolve(part.source()).normalize().toString(), problems));
                }
                if (!complete) {
                    continue;
                }
                String content = joined.toString();
                boolean secret = false;
                OverrideSpec o = s.overrides();
                if (ctx.migration() != null && o != null && t.target().equals(o.file())) {
                    MigrationPhase phase = ctx.migration().value();
                    Map<String, String> settings = MigrationSettings.of(phase, s.id(), plainValues(macros),
                            ctx.security() == dev.dockhand.agent.catalog.Security.TLS);
                    content = MigrationSettings.apply(content, settings, phase);
                    settings.forEach((k, v) -> explain.add(new Explained(s.id(), k + " in " + t.target(), v == null ? "(removed)" : v,
                            "migration phase " + phase.id + " (" + ctx.migration().source() + ")")));
                }
                if (o != null && t.target().equals(o.file()) && ServiceIds.BROKERS.contains(s.id())) {
                    Map<String, String> set = new LinkedHashMap<>();
                    content = Outside.apply(content, ctx, outsideSelf, set);
                    set.forEach((k, v) -> explain.add(new Explained(s.id(), k + " in " + t.target(), v,
                            k.equals("broker.rack") || k.equals("replica.selector.class")
                                    ? "the node's rack (" + ctx.identity().placement().rack().source() + ")"
                                    : "the cluster's outside address (" + Placement.ENV_EXTERNAL_HOST + ", " + Placement.ENV_EXTERNAL_PORT + ")")));
                }
                if (o != null && t.target().equals(o.file())) {
                    List<Overrides.Override> os = Overrides.from(o.prefix(), env, fs, this.files, problems);
                    content = Overrides.apply(content, os, o, targetPath.toString(), problems);
                    Overrides.checkDirectories(os, o, fs, problems);
                    for (Overrides.Override x : os) {
                        // a value read from a *_FILE is a secret by where it came from, whatever its key
                        boolean hidden = x.fromFile() || Secrets.isSecretKey(x.key());
                        secret |= hidden;
                        explain.add(new Explained(s.id(), x.key() + " in " + t.target(), hidden ? Secrets.MASK : Secrets.mask(x.key(), x.value()),
                                (x.fromFile() ? "file named by env " : "env ") + x.var()));
                    }
                }
                LogLevels.Syntax syntax = LogLevels.syntaxOf(s.id(), t.target(), o);
                if (syntax != null) {
                    String prefix = LogLevels.prefixOf(s.id());
                    content = LogLevels.apply(content, syntax, prefix, env);
                    LogLevels.requested(prefix, env).forEach((k, v) -> explain.add(new Explained(s.id(), k + " in " + t.target(), v,
                            "env " + prefix + (k.equals(LogLevels.ROOT) ? LogLevels.ROOT_SUFFIX : LogLevels.LOGGERS_SUFFIX))));
                }
                files.add(new RenderedFile(s.id(), targetPath, source, content, secret));
            }
            List<RenderPlan.ResolvedStep> steps = new ArrayList<>();
            for (PrepareStep step : s.prepare()) {
                String sw = where + ".prepare." + step.id();
                List<String> stepArgv = step.command().stream().map(a -> tokens(a, macros, Map.of(), sw + ".command", problems)).toList();
                if (ctx.migration() != null && ctx.migration().value().controllersMigrating()
                        && s.id().equals(ServiceIds.KRAFT_CONTROLLER) && step.id().equals("format")) {
                    stepArgv = MigrationSettings.formatCommand(stepArgv, ctx.paths().homeDir().toString(),
                            macros.get(Macro.ZOOKEEPER_SERVICE_STRING).value(),
                            ctx.security() == dev.dockhand.agent.catalog.Security.TLS
                                    ? ctx.paths().confDir().resolve("zookeeper-client.properties").toString() : null);
                    explain.add(new Explained(s.id(), "prepare format", "with ZooKeeper's cluster id, static quorum",
                            "migration phase " + ctx.migration().value().id + " (" + ctx.migration().source() + ")"));
                } else if (ctx.migration() != null && s.id().equals(ServiceIds.KRAFT_BROKER) && step.id().equals("format")) {
                    // a broker added after the move from ZooKeeper: the cluster's id is ZooKeeper's, which the controllers tell
                    stepArgv = MigrationSettings.brokerFormatCommand(stepArgv, ctx.paths().homeDir().toString(),
                            macros.get(Macro.KRAFT_BOOTSTRAP_SERVERS).value(), ctx.paths().confDir().resolve("client.properties").toString());
                    explain.add(new Explained(s.id(), "prepare format", "with the cluster id the controllers tell (ZooKeeper's)",
                            "migration phase " + ctx.migration().value().id + " (" + ctx.migration().source() + ")"));
                }
                Path unless = null;
                if (step.unless() != null) {
                    unless = ctx.paths().confDir().resolve(tokens(step.unless(), macros, Map.of(), sw + ".unless", problems)).normalize();
                    if (!inside(unless)) {
                        problems.add(sw + ".unless: " + unless + " is outside the conf dir and the data dir");
                    }
                }
                steps.add(new RenderPlan.ResolvedStep(step.id(), stepArgv, unless, step.timeout()));
            }
            List<String> renewal = s.certRenewal().stream().map(a -> tokens(a, macros, Map.of(), where + ".certRenewal", problems)).toList();
            if (outsideSelf != null && ServiceIds.BROKERS.contains(s.id())) {
                renewal = Outside.renewal(renewal);
            }
            services.add(new ResolvedCommand(s.id(), argv, serviceEnv, ctx.paths().dataDir(), dataDirs, logFile,
                    s.log() == null ? 0 : s.log().maxBytes(), heap.mb(), renewal, steps));
        }
        for (List<TemplateSpec> parts : byTarget(ctx.catalog().nodeTemplates())) {
            TemplateSpec t = parts.get(0);
            Path source = ctx.paths().templates().resolve(t.source()).normalize();
            String target = tokens(t.target(), ctx.values(), Map.of(), "catalog nodeTemplates", problems);
            Path targetPath = ctx.paths().confDir().resolve(target).normalize();
            if (!inside(targetPath)) {
                problems.add("target " + target + " of node template " + t.source() + " is outside the conf dir and the data dir");
                continue;
            }
            StringBuilder joined = new StringBuilder();
            boolean complete = true;
            for (TemplateSpec part : parts) {
                String text = read(ctx.paths().templates(), part.source(), "node template", problems);
                if (text == null) {
                    complete = false;
                    continue;
                }
                appendPart(joined, tokens(text, ctx.values(), Map.of(),
                        ctx.paths().templates().resolve(part.source()).normalize().toString(), problems));
            }
            if (complete) {
                // the tools' client configs name the node's key on a secured node: its owner's only
                files.add(new RenderedFile(NODE_SCOPE, targetPath, source, joined.toString(), ctx.security() == Security.TLS));
            }
        }
        problems.throwIfAny();
        return new RenderPlan(files, services, explain);
    }

    private static Map<Macro, String> plainValues(Map<Macro, Sourced<String>> macros) {
        Map<Macro, String> out = new java.util.EnumMap<>(Macro.class);
        macros.forEach((m, v) -> out.put(m, v.value()));
        return out;
    }

    /**
     * The templates that apply to this node's security, grouped by target in the catalog's order: the
     * parts of one file (a shared part, then a fragment for a secured or a plaintext node).
     */
    private List<List<TemplateSpec>> byTarget(List<TemplateSpec> templates) {
        Map<String, List<TemplateSpec>> out = new LinkedHashMap<>();
        for (TemplateSpec t : templates) {
            if (t.appliesTo(ctx.security())) {
                out.computeIfAbsent(t.target(), k -> new ArrayList<>()).add(t);
            }
        }
        return List.copyOf(out.values());
    }

    /** Appends a part on a line of its own. */
    private static void appendPart(StringBuilder file, String part) {
        if (file.length() > 0 && file.charAt(file.length() - 1) != '\n') {
            file.append('\n');
        }
        file.append(part);
    }

    /**
     * The text of template {@code relative} (inside {@code templates}, a regular file below the limit),
     * or null after adding a problem that names it and {@code owner}.
     */
    private String read(Path templates, String relative, String owner, Problems problems) {
        Path source = templates.resolve(relative).normalize();
        if (!source.startsWith(templates.normalize())) {
            problems.add("template " + relative + " (" + owner + ") is outside the templates dir " + templates);
            return null;
        }
        try {
            return files.read(source, InputFiles.TEMPLATE_LIMIT);
        } catch (InputFiles.Refused e) {
            problems.add("template " + source + " (" + owner + ") " + e.getMessage()
                    + (e.missing() ? "; check --templates / AGENT_TEMPLATES" : ""));
            return null;
        }
    }

    /** Whether a rendered file lands in the conf dir or the data dir, where the agent may write. */
    private boolean inside(Path target) {
        return target.startsWith(ctx.paths().confDir().normalize()) || target.startsWith(ctx.paths().dataDir().normalize());
    }

    /**
     * Replaces autogen {@code patterns} literally, then {@code @@MACRO@@} tokens; a token left over
     * is a problem naming the file (or catalog field) and line.
     */
    static String tokens(String text, Map<Macro, Sourced<String>> macros, Map<String, Sourced<String>> patterns,
            String where, Problems problems) {
        String out = text;
        for (var p : patterns.entrySet()) {
            out = out.replace(p.getKey(), p.getValue().value());
        }
        Matcher m = TOKEN.matcher(out);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            var macro = Macro.named(name);
            String value;
            if (macro.isPresent() && macros.containsKey(macro.get())) {
                value = macros.get(macro.get()).value();
            } else {
                int line = lineOf(text, m.group());
                problems.add(where + (line > 0 ? ":" + line : "") + ": token @@" + name + "@@ is "
                        + (macro.isPresent() ? "not available here" : "neither a macro nor an autogen pattern of this file")
                        + " (macros: " + String.join(", ", java.util.Arrays.stream(Macro.values()).map(Enum::name).toList()) + ")");
                value = m.group();
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        String out2 = sb.toString();
        // what the token pattern did not take: "@@FOO BAR@@", "@@ID" with no end, a stray "@@"
        int at = out2.indexOf("@@");
        while (at >= 0) {
            int line = lineAt(out2, at);
            int end = out2.indexOf('\n', at);
            String rest = out2.substring(at, end < 0 ? out2.length() : end);
            boolean reported = TOKEN.matcher(rest).lookingAt();
            if (!reported) {
                problems.add(where + (line > 0 ? ":" + line : "") + ": '" + dev.dockhand.agent.core.Names.printable(
                        rest.length() > 40 ? rest.substring(0, 40) : rest)
                        + "' is not a token: a token is @@NAME@@ with letters, digits, '_', '.' and '-' in NAME");
                break;
            }
            at = out2.indexOf("@@", at + rest.indexOf("@@", 2) + 2);
        }
        return out2;
    }

    private static int lineAt(String text, int index) {
        int n = 1;
        for (int i = 0; i < index; i++) {
            if (text.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    private static int lineOf(String text, String token) {
        int at = text.indexOf(token);
        if (at < 0) {
            return 0;
        }
        return (int) text.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
    }
}
