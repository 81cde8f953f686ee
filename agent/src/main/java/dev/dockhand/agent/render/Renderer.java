package dev.dockhand.agent.render;

import dev.dockhand.agent.InvalidInputException;
import dev.dockhand.agent.catalog.Autogen;
import dev.dockhand.agent.catalog.Macro;
import dev.dockhand.agent.catalog.Problems;
import dev.dockhand.agent.catalog.ServiceSpec;
import dev.dockhand.agent.catalog.TemplateSpec;
import dev.dockhand.agent.metadata.Sourced;
import dev.dockhand.agent.render.RenderPlan.Explained;
import dev.dockhand.agent.render.RenderPlan.RenderedFile;
import dev.dockhand.agent.render.RenderPlan.ResolvedService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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

    /**
     * @param env the agent's environment (overrides, PATH)
     * @param heaps heap per service id, from the sizing
     */
    public Renderer(NodeContext ctx, Map<String, String> env, Map<String, Heap> heaps) {
        this.ctx = ctx;
        this.env = Map.copyOf(env);
        this.heaps = Map.copyOf(heaps);
        this.fs = ctx.paths().templates().getFileSystem();
    }

    /** Renders everything in memory; every problem at once as an {@link InvalidInputException}. */
    public RenderPlan plan() {
        Problems problems = new Problems();
        List<RenderedFile> files = new ArrayList<>();
        List<ResolvedService> services = new ArrayList<>();
        List<Explained> explain = new ArrayList<>();
        ctx.values().forEach((m, v) -> explain.add(new Explained("node", m.name(), v.value(), v.source().toString())));

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

            for (TemplateSpec t : s.templates()) {
                Path source = ctx.paths().templates().resolve(t.source());
                String target = tokens(t.target(), macros, Map.of(), where + ".templates", problems);
                Path targetPath = ctx.paths().confDir().resolve(target);
                String text = read(source, "service " + s.id(), problems);
                if (text == null) {
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
                String content = tokens(text, macros, patterns, source.toString(), problems);
                if (t.target().equals(s.overrideFile()) && s.overridePrefix() != null) {
                    List<Overrides.Override> os = Overrides.from(s.overridePrefix(), env, fs, problems);
                    content = Overrides.apply(content, os);
                    for (Overrides.Override o : os) {
                        explain.add(new Explained(s.id(), o.key() + " in " + t.target(), Secrets.mask(o.key(), o.value()),
                                (o.var().endsWith("_FILE") ? "file named by env " : "env ") + o.var()));
                    }
                }
                files.add(new RenderedFile(s.id(), targetPath, source, content));
            }
            services.add(new ResolvedService(s, argv, serviceEnv, dataDirs, logFile, heap.mb()));
        }
        for (TemplateSpec t : ctx.catalog().nodeTemplates()) {
            Path source = ctx.paths().templates().resolve(t.source());
            String target = tokens(t.target(), ctx.values(), Map.of(), "catalog nodeTemplates", problems);
            String text = read(source, "node template", problems);
            if (text != null) {
                files.add(new RenderedFile(NODE_SCOPE, ctx.paths().confDir().resolve(target), source,
                        tokens(text, ctx.values(), Map.of(), source.toString(), problems)));
            }
        }
        problems.throwIfAny();
        return new RenderPlan(files, services, explain);
    }

    /** The template's text, or null after adding a problem that names it and {@code owner}. */
    private static String read(Path source, String owner, Problems problems) {
        try {
            return Files.readString(source, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            problems.add("template " + source + " (" + owner + ") does not exist; check --templates / AGENT_TEMPLATES");
        } catch (IOException e) {
            problems.add("template " + source + " cannot be read: " + e.getMessage());
        }
        return null;
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
        return sb.toString();
    }

    private static int lineOf(String text, String token) {
        int at = text.indexOf(token);
        if (at < 0) {
            return 0;
        }
        return (int) text.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
    }
}
