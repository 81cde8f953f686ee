package dev.dockhand.agent.workbench;

import dev.dockhand.agent.catalog.Autogen;
import dev.dockhand.agent.catalog.Cardinality;
import dev.dockhand.agent.catalog.Catalog;
import dev.dockhand.agent.catalog.CatalogReader;
import dev.dockhand.agent.catalog.CatalogValidator;
import dev.dockhand.agent.catalog.CatalogWriter;
import dev.dockhand.agent.catalog.ClusterConfig;
import dev.dockhand.agent.catalog.Distro;
import dev.dockhand.agent.catalog.HealthSpec;
import dev.dockhand.agent.catalog.LogSpec;
import dev.dockhand.agent.catalog.Macro;
import dev.dockhand.agent.catalog.MemorySpec;
import dev.dockhand.agent.catalog.ProbeSpec;
import dev.dockhand.agent.catalog.RestartPolicy;
import dev.dockhand.agent.catalog.RestartSpec;
import dev.dockhand.agent.catalog.Role;
import dev.dockhand.agent.catalog.ServiceSpec;
import dev.dockhand.agent.catalog.StartEntry;
import dev.dockhand.agent.catalog.StopSpec;
import dev.dockhand.agent.catalog.TemplateSpec;
import dev.dockhand.agent.core.InvalidInputException;
import dev.dockhand.agent.linux.Signal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a BlueData workbench script (the talk's {@code role add}, {@code service add},
 * {@code clusterconfig new|assign}, {@code appconfig autogen}, {@code REGISTER_START_SERVICE_SYSV})
 * into a {@link Catalog}, with every problem found and its line.
 *
 * <p>Reading rules, chosen so that the script as printed in the talk reads as its author meant it:
 * <ul>
 *   <li>Trailing white space is dropped from every line before anything else: slides and Markdown add
 *       two spaces at line ends, which would otherwise turn {@code \} line continuations into escaped
 *       spaces.</li>
 *   <li>A line ending in {@code \} continues on the next; the next line's indentation becomes one space.</li>
 *   <li>Words are split as a shell does (single and double quotes, backslash escapes); {@code #} starts a
 *       comment (so does the shebang).</li>
 *   <li>An option left without its value at the end of a line takes the next line as its value when that
 *       line is one word and not a command (the talk's {@code --macro} / {@code ZOOKEEPER_SERVICE_STRING});
 *       this is a warning, since a shell would run the word as a command.</li>
 * </ul>
 *
 * <p>What the script cannot say, the importer fills in and documents: each service's command is a
 * placeholder ({@link #placeholderCommand}) that fails with a message saying the command must be set;
 * a service with a port gets a TCP health probe on it (so {@code --wait} means "accepts connections");
 * other settings take the catalog reader's defaults. Each autogen file becomes a template (source and
 * target: the path without its leading {@code /}, so the file lands below the agent's conf dir, never
 * at an absolute path of the container) of the service whose id, or a part of it, names a
 * directory or word of the path ({@code /tmp/zookeeper/myid}: zookeeper; {@code .../kafka/server.properties}:
 * kafka-broker); with no such service, of the first service declared, with a warning.
 *
 * <p>Errors (the catalog would be wrong or would not load): unknown command, missing or malformed option
 * value, missing required option, duplicate id, unknown role or service in an assignment or in the start
 * order, unknown macro, pattern not of the form {@code @@NAME@@}, cycle in the waits. Warnings (the
 * catalog loads, but something is likely not what the author meant): options and workbench commands
 * that have no equivalent (ignored), {@code -pattern} with one dash, a value taken from the next line, a
 * service with no start entry (the workbench would never start it; dockhand starts it without waits), a
 * role with a cardinality of at least one that a cluster config gives no services, a service no cluster
 * config assigns.
 */
public final class WorkbenchImporter {

    public enum Severity { ERROR, WARNING }

    /** One problem, at a 1-based line of the script (0: the script as a whole). */
    public record Problem(int line, Severity severity, String message) {
        /** {@code FILE:LINE: error: message}, as compilers write it. */
        public String format(String file) {
            return file + (line > 0 ? ":" + line : "") + ": " + severity.name().toLowerCase(Locale.ROOT) + ": " + message;
        }
    }

    /**
     * Every problem found, and the catalog when there is no error: read back through {@link CatalogReader},
     * so it is one that {@code agent run} loads.
     */
    public record Result(Optional<Catalog> catalog, List<Problem> problems) {
        public Result {
            problems = List.copyOf(problems);
        }

        public boolean hasErrors() {
            return problems.stream().anyMatch(p -> p.severity() == Severity.ERROR);
        }

        public boolean hasWarnings() {
            return problems.stream().anyMatch(p -> p.severity() == Severity.WARNING);
        }
    }

    /** The command an imported service gets: it exits 78 (EX_CONFIG) saying what to set. */
    public static List<String> placeholderCommand(String serviceId) {
        return List.of("/bin/sh", "-c", "echo 'dockhand: service " + serviceId + " has no command: the workbench script"
                + " does not say how to start it; set services[].command in the catalog' >&2; exit 78");
    }

    private static final String ID = "[A-Za-z0-9][A-Za-z0-9_.-]*";
    private static final List<String> COMMANDS = List.of("builder", "catalog", "role", "service", "clusterconfig",
            "appconfig", "image", "logo", "sources", "REGISTER_START_SERVICE_SYSV");

    private WorkbenchImporter() {}

    public static Result parse(String fileName, String text) {
        Importer im = new Importer(fileName, ShellText.logicalLines(text));
        im.run();
        return im.result();
    }

    private static final class Importer {
        private final String fileName;
        private final List<ShellText.Line> lines;
        private final List<Problem> problems = new ArrayList<>();

        private Distro distro;
        private final Map<String, Integer> roleLines = new LinkedHashMap<>();
        private final Map<String, Role> roles = new LinkedHashMap<>();
        private final Map<String, Integer> serviceLines = new LinkedHashMap<>();
        private final Map<String, ServiceSpec> services = new LinkedHashMap<>();
        private final Map<String, Integer> configLines = new LinkedHashMap<>();
        private final Map<String, Map<String, List<String>>> configs = new LinkedHashMap<>();
        private final List<Assign> assigns = new ArrayList<>();
        private final List<Autogen> autogen = new ArrayList<>();
        private final List<Integer> autogenLines = new ArrayList<>();
        private final Map<String, Integer> startLines = new LinkedHashMap<>();
        private final List<StartEntry> startOrder = new ArrayList<>();

        private record Assign(int line, String config, String role, List<String> services) {}

        Importer(String fileName, List<ShellText.Line> lines) {
            this.fileName = fileName;
            this.lines = lines;
        }

        void error(int line, String message) {
            problems.add(new Problem(line, Severity.ERROR, message));
        }

        void warn(int line, String message) {
            problems.add(new Problem(line, Severity.WARNING, message));
        }

        void run() {
            for (int i = 0; i < lines.size(); i++) {
                ShellText.Line line = lines.get(i);
                List<String> words = words(line);
                if (words == null || words.isEmpty()) {
                    continue;
                }
                Command c = new Command(line.number(), words);
                // an option left without a value at the end of the line: take the next line if it is one word
                if (c.danglingOptionAtEnd() && i + 1 < lines.size()) {
                    List<String> next = words(lines.get(i + 1));
                    if (next != null && next.size() == 1 && !COMMANDS.contains(next.get(0)) && !next.get(0).startsWith("-")) {
                        warn(line.number(), words.get(words.size() - 1) + " has no value on this line; took '" + next.get(0)
                                + "' from line " + lines.get(i + 1).number() + " as its value (a shell would run it as a"
                                + " command: end this line with \\ or join the lines)");
                        List<String> joined = new ArrayList<>(words);
                        joined.add(next.get(0));
                        c = new Command(line.number(), joined);
                        i++;
                    }
                }
                dispatch(c);
            }
            crossCheck();
        }

        private List<String> words(ShellText.Line line) {
            try {
                return ShellText.split(line.text());
            } catch (IllegalArgumentException e) {
                error(line.number(), e.getMessage());
                return null;
            }
        }

        private void dispatch(Command c) {
            String w0 = c.words.get(0);
            String w1 = c.words.size() > 1 ? c.words.get(1) : "";
            switch (w0 + " " + w1) {
                case "catalog new" -> catalogNew(c);
                case "role add" -> roleAdd(c);
                case "service add" -> serviceAdd(c);
                case "clusterconfig new" -> configNew(c);
                case "clusterconfig assign" -> configAssign(c);
                case "appconfig autogen" -> autogen(c);
                default -> {
                    if (w0.equals("REGISTER_START_SERVICE_SYSV")) {
                        start(c);
                    } else if (w0.equals("builder")) {
                        // organization and other builder settings: no meaning for a catalog
                    } else if (List.of("catalog", "appconfig", "image", "logo", "sources").contains(w0)) {
                        warn(c.line, "'" + w0 + (w1.isEmpty() ? "" : " " + w1) + "' has no equivalent in the catalog; ignored");
                    } else {
                        error(c.line, "unknown command '" + String.join(" ", c.words.subList(0, Math.min(2, c.words.size())))
                                + "' (understood: catalog new, role add, service add, clusterconfig new, clusterconfig assign,"
                                + " appconfig autogen, REGISTER_START_SERVICE_SYSV; builder, image, logo, sources are ignored)");
                    }
                }
            }
        }

        private void catalogNew(Command c) {
            Map<String, List<String>> o = c.options(2, 0, Set.of("--distroid", "--name", "--version"), Set.of(),
                    Set.of("--desc", "--categories"));
            if (o == null) {
                return;
            }
            String id = c.required(o, "--distroid");
            if (id == null) {
                return;
            }
            if (distro != null) {
                error(c.line, "a second 'catalog new'; a script describes one catalog entry");
                return;
            }
            distro = new Distro(id, c.one(o, "--name", ""), c.one(o, "--version", ""));
        }

        private void roleAdd(Command c) {
            Map<String, List<String>> o = c.options(2, 2, Set.of(), Set.of(), Set.of());
            if (o == null) {
                return;
            }
            if (c.positional.size() != 2) {
                error(c.line, "'role add' needs a role id and a cardinality, like 'role add broker 1+'");
                return;
            }
            String id = c.positional.get(0);
            if (!checkId(c.line, "role", id)) {
                return;
            }
            Cardinality card;
            try {
                card = Cardinality.parse(c.positional.get(1));
            } catch (IllegalArgumentException e) {
                error(c.line, "role '" + id + "': " + e.getMessage());
                return;
            }
            if (roles.containsKey(id)) {
                error(c.line, "duplicate role id '" + id + "' (first added on line " + roleLines.get(id) + ")");
                return;
            }
            roles.put(id, new Role(id, card));
            roleLines.put(id, c.line);
        }

        private void serviceAdd(Command c) {
            Map<String, List<String>> o = c.options(2, 0, Set.of("--svcid", "--name", "--port"), Set.of(), Set.of());
            if (o == null) {
                return;
            }
            String id = c.required(o, "--svcid");
            if (id == null || !checkId(c.line, "service", id)) {
                return;
            }
            int port = 0;
            String p = c.one(o, "--port", null);
            if (p != null) {
                if (!p.matches("[0-9]{1,5}") || Integer.parseInt(p) < 1 || Integer.parseInt(p) > 65535) {
                    error(c.line, "service '" + id + "': --port '" + p + "' is not a port number (1-65535)");
                    return;
                }
                port = Integer.parseInt(p);
            }
            if (services.containsKey(id)) {
                error(c.line, "duplicate service id '" + id + "' (first added on line " + serviceLines.get(id) + ")");
                return;
            }
            services.put(id, service(id, c.one(o, "--name", id), port));
            serviceLines.put(id, c.line);
        }

        private void configNew(Command c) {
            Map<String, List<String>> o = c.options(2, 0, Set.of("--configid"), Set.of(), Set.of());
            if (o == null) {
                return;
            }
            String id = c.required(o, "--configid");
            if (id == null || !checkId(c.line, "cluster config", id)) {
                return;
            }
            if (configs.containsKey(id)) {
                error(c.line, "duplicate cluster config id '" + id + "' (first created on line " + configLines.get(id) + ")");
                return;
            }
            configs.put(id, new LinkedHashMap<>());
            configLines.put(id, c.line);
        }

        private void configAssign(Command c) {
            Map<String, List<String>> o = c.options(2, 0, Set.of("--configid", "--role"), Set.of("--svcid"), Set.of());
            if (o == null) {
                return;
            }
            String config = c.required(o, "--configid");
            String role = c.required(o, "--role");
            List<String> svcs = o.get("--svcid");
            if (svcs == null) {
                error(c.line, "'clusterconfig assign' needs --svcid with one or more service ids");
            }
            if (config == null || role == null || svcs == null) {
                return;
            }
            if (!configs.containsKey(config)) {
                error(c.line, "cluster config '" + config + "' is assigned before 'clusterconfig new --configid " + config + "'");
                configs.put(config, new LinkedHashMap<>());
                configLines.put(config, c.line);
            }
            assigns.add(new Assign(c.line, config, role, svcs));
        }

        private void autogen(Command c) {
            Map<String, List<String>> o = c.options(2, 0, Set.of("--replace", "--pattern", "--macro"), Set.of(), Set.of());
            if (o == null) {
                return;
            }
            String file = c.required(o, "--replace");
            String pattern = c.required(o, "--pattern");
            String macro = c.required(o, "--macro");
            if (file == null || pattern == null || macro == null) {
                return;
            }
            boolean ok = true;
            if (Macro.named(macro).isEmpty()) {
                error(c.line, "unknown macro '" + macro + "' (macros: " + CatalogValidator.macroNames() + ")");
                ok = false;
            }
            if (!pattern.matches("@@[A-Za-z0-9_.\\-]+@@")) {
                error(c.line, "pattern '" + pattern + "' must look like @@NAME@@ (letters, digits, _ . -)");
                ok = false;
            }
            if (ok) {
                // the script names the file where the talk's image kept it; the agent renders into its
                // conf dir, so the same path below it
                autogen.add(new Autogen(file.replaceFirst("^/+", ""), pattern, macro));
                autogenLines.add(c.line);
            }
        }

        private void start(Command c) {
            Map<String, List<String>> o = c.options(1, 1, Set.of(), Set.of("--wait"), Set.of());
            if (o == null) {
                return;
            }
            if (c.positional.size() != 1) {
                error(c.line, "REGISTER_START_SERVICE_SYSV needs one service id, then optionally --wait and the services it waits for");
                return;
            }
            String svc = c.positional.get(0);
            if (startLines.containsKey(svc)) {
                error(c.line, "service '" + svc + "' is registered to start twice (first on line " + startLines.get(svc) + ")");
                return;
            }
            startLines.put(svc, c.line);
            startOrder.add(new StartEntry(svc, o.getOrDefault("--wait", List.of())));
        }

        /** References are checked once the whole script is read, so that order of declaration does not matter. */
        private void crossCheck() {
            for (Assign a : assigns) {
                boolean ok = true;
                if (!roles.containsKey(a.role)) {
                    error(a.line, "cluster config '" + a.config + "' assigns unknown role '" + a.role + "'" + hint(a.role, roles.keySet(), "roles"));
                    ok = false;
                }
                List<String> known = new ArrayList<>();
                for (String s : a.services) {
                    if (!services.containsKey(s)) {
                        error(a.line, "cluster config '" + a.config + "' gives role '" + a.role + "' unknown service '" + s + "'"
                                + hint(s, services.keySet(), "services"));
                    } else {
                        known.add(s);
                    }
                }
                if (ok) {
                    List<String> list = configs.get(a.config).computeIfAbsent(a.role, r -> new ArrayList<>());
                    for (String s : known) {
                        if (list.contains(s)) {
                            warn(a.line, "cluster config '" + a.config + "' gives role '" + a.role + "' service '" + s + "' twice");
                        } else {
                            list.add(s);
                        }
                    }
                }
            }
            for (var e : configs.entrySet()) {
                for (Role r : roles.values()) {
                    if (r.cardinality().min() > 0 && !e.getValue().containsKey(r.id())
                            && assigns.stream().noneMatch(a -> a.config.equals(e.getKey()) && a.role.equals(r.id()))) {
                        warn(configLines.get(e.getKey()), "cluster config '" + e.getKey() + "' gives role '" + r.id()
                                + "' no services, yet its cardinality " + r.cardinality() + " asks for at least "
                                + r.cardinality().min() + " such node: it would run nothing (assign it services, or make it 0+)");
                    }
                }
            }
            for (var s : services.keySet()) {
                boolean assigned = assigns.stream().anyMatch(a -> a.services.contains(s));
                if (!assigned && !configs.isEmpty()) {
                    warn(serviceLines.get(s), "service '" + s + "' is not assigned to any role in any cluster config: it never runs");
                }
            }
            for (StartEntry e : startOrder) {
                int line = startLines.get(e.service());
                if (!services.containsKey(e.service())) {
                    error(line, "start order names unknown service '" + e.service() + "'" + hint(e.service(), services.keySet(), "services"));
                }
                for (String w : e.waitFor()) {
                    if (!services.containsKey(w)) {
                        error(line, "'" + e.service() + "' waits for unknown service '" + w + "'" + hint(w, services.keySet(), "services"));
                    }
                }
            }
            Map<String, List<String>> waits = new LinkedHashMap<>();
            startOrder.forEach(e -> waits.put(e.service(), e.waitFor()));
            List<String> cycle = CatalogValidator.findCycle(waits);
            if (!cycle.isEmpty()) {
                error(startLines.get(cycle.get(0)), "the waits form a cycle: " + String.join(" -> ", cycle));
            }
            for (var s : services.keySet()) {
                if (!startLines.containsKey(s)) {
                    warn(serviceLines.get(s), "service '" + s + "' has no REGISTER_START_SERVICE_SYSV line: the workbench would"
                            + " never start it; dockhand starts it without waiting for anything (add 'REGISTER_START_SERVICE_SYSV "
                            + s + " --wait ...')");
                }
            }
            if (distro == null) {
                warn(0, "no 'catalog new --distroid ...' line; the catalog's distro id is 'dockhand'");
            }
            if (services.isEmpty()) {
                error(0, "no 'service add' line: a catalog needs at least one service");
            }
            attachTemplates();
        }

        /** Each autogen file becomes a template of the service the path names (see the class comment). */
        private void attachTemplates() {
            Map<String, ServiceSpec> updated = new LinkedHashMap<>(services);
            Set<String> done = new LinkedHashSet<>();
            for (int i = 0; i < autogen.size(); i++) {
                String file = autogen.get(i).file();
                if (!done.add(file) || services.isEmpty()) {
                    continue;
                }
                String owner = owner(file);
                if (owner == null) {
                    owner = services.keySet().iterator().next();
                    warn(autogenLines.get(i), "cannot tell which service renders '" + file + "' (no service id in its path);"
                            + " made it a template of '" + owner + "': move it in the catalog if it belongs to another");
                }
                ServiceSpec s = updated.get(owner);
                List<TemplateSpec> templates = new ArrayList<>(s.templates());
                templates.add(new TemplateSpec(file, file));
                updated.put(owner, new ServiceSpec(s.id(), s.name(), s.port(), s.command(), s.env(), templates,
                        s.overrides(), s.dataDirs(), s.health(), s.stop(), s.restart(), s.memory(),
                        s.user(), s.log(), s.quorum(), s.metricsPort()));
            }
            services.putAll(updated);
        }

        /** The service whose whole id (score 2 per part) or parts of it (1 each) are words of the path; ties: first declared. */
        private String owner(String file) {
            List<String> words = Arrays.asList(file.toLowerCase(Locale.ROOT).split("[/._\\-]+"));
            String best = null;
            int bestScore = 0;
            for (String id : services.keySet()) {
                String[] parts = id.toLowerCase(Locale.ROOT).split("[._\\-]+");
                int score = file.toLowerCase(Locale.ROOT).matches(".*(^|/)" + java.util.regex.Pattern.quote(id.toLowerCase(Locale.ROOT)) + "(/|$).*")
                        ? 2 * parts.length : 0;
                if (score == 0) {
                    for (String p : parts) {
                        if (p.length() >= 3 && words.contains(p)) {
                            score++;
                        }
                    }
                }
                if (score > bestScore) {
                    best = id;
                    bestScore = score;
                }
            }
            return best;
        }

        private boolean checkId(int line, String what, String id) {
            if (!id.matches(ID)) {
                error(line, what + " id '" + id + "' must start with a letter or digit and hold only letters, digits, _ . -");
                return false;
            }
            return true;
        }

        Result result() {
            List<Problem> sorted = new ArrayList<>(problems);
            sorted.sort(Comparator.comparingInt(Problem::line));
            List<ClusterConfig> cc = new ArrayList<>();
            configs.forEach((id, a) -> cc.add(new ClusterConfig(id, "", a)));
            Catalog catalog = new Catalog(distro == null ? new Distro("dockhand", "", "") : distro,
                    List.copyOf(roles.values()), List.copyOf(services.values()), cc, autogen, startOrder);
            Optional<Catalog> read = Optional.empty();
            if (sorted.stream().noneMatch(p -> p.severity() == Severity.ERROR)) {
                // The importer's own checks should match the reader's; if they ever drift, say so rather than emit a catalog that does not load.
                try {
                    read = Optional.of(CatalogReader.parse(fileName + " (imported)", CatalogWriter.toJson(catalog)));
                } catch (InvalidInputException e) {
                    e.problems().forEach(p -> sorted.add(new Problem(0, Severity.ERROR, "the imported catalog does not load: " + p)));
                }
            }
            return new Result(read, sorted);
        }

        /** Options of one command line: words after {@code skip} command words, some positionals, {@code --opt value} pairs. */
        private final class Command {
            final int line;
            final List<String> words;
            final List<String> positional = new ArrayList<>();

            Command(int line, List<String> words) {
                this.line = line;
                this.words = words;
            }

            boolean danglingOptionAtEnd() {
                return words.size() > 1 && words.get(words.size() - 1).startsWith("-");
            }

            /**
             * @param single options with one value; {@code multi}: one or more values; {@code ignored}: accepted, no equivalent
             * @return option -> values, or null when the line is malformed (already reported)
             */
            Map<String, List<String>> options(int skip, int maxPositional, Set<String> single, Set<String> multi, Set<String> ignored) {
                Map<String, List<String>> out = new LinkedHashMap<>();
                boolean ok = true;
                int i = skip;
                while (i < words.size()) {
                    String w = words.get(i);
                    if (!w.startsWith("-") || w.equals("-")) {
                        if (out.isEmpty() && positional.size() < maxPositional) {
                            positional.add(w);
                        } else {
                            error(line, "unexpected '" + w + "'");
                            ok = false;
                        }
                        i++;
                        continue;
                    }
                    String name = w;
                    if (w.matches("-[a-z][a-z_]+") && (single.contains("-" + w) || multi.contains("-" + w))) {
                        warn(line, "'" + w + "' has one dash; read as -" + w);
                        name = "-" + w;
                    }
                    List<String> values = new ArrayList<>();
                    i++;
                    while (i < words.size() && !words.get(i).startsWith("-")) {
                        values.add(words.get(i++));
                    }
                    if (values.isEmpty()) {
                        error(line, "option " + name + " needs a value");
                        ok = false;
                        continue;
                    }
                    if (single.contains(name)) {
                        if (values.size() > 1) {
                            error(line, "option " + name + " takes one value, got " + values.size() + ": " + String.join(" ", values)
                                    + " (quote a value that holds spaces)");
                            ok = false;
                        }
                    } else if (!multi.contains(name)) {
                        if (!ignored.contains(name)) {
                            warn(line, "option " + name + " has no equivalent in the catalog; ignored");
                        }
                        continue;
                    }
                    if (out.containsKey(name)) {
                        error(line, "option " + name + " given twice");
                        ok = false;
                    }
                    out.put(name, values);
                }
                return ok ? out : null;
            }

            String required(Map<String, List<String>> o, String name) {
                List<String> v = o.get(name);
                if (v == null) {
                    error(line, "'" + words.get(0) + " " + words.get(1) + "' needs " + name);
                    return null;
                }
                return v.get(0);
            }

            String one(Map<String, List<String>> o, String name, String dflt) {
                List<String> v = o.get(name);
                return v == null ? dflt : v.get(0);
            }
        }
    }

    /** A service as the script declares it; what the script cannot say is filled in as the class comment describes. */
    private static ServiceSpec service(String id, String name, int port) {
        HealthSpec health = new HealthSpec(port > 0 ? new ProbeSpec.Tcp(port) : new ProbeSpec.None(),
                Duration.ofSeconds(2), Duration.ofSeconds(2), 3, Duration.ofMinutes(5), null);
        return new ServiceSpec(id, name, port, placeholderCommand(id), Map.of(), List.of(), null, List.of(), health,
                new StopSpec(Signal.TERM, Duration.ofSeconds(30)),
                new RestartSpec(RestartPolicy.ALWAYS, Duration.ofSeconds(1), Duration.ofSeconds(30), 10, Duration.ofMinutes(2), false),
                new MemorySpec(1, 64, 0, 0.5, 0), null, new LogSpec(null, 10L * 1024 * 1024),
                id.equals("zookeeper") ? ServiceSpec.Quorum.MAJORITY : ServiceSpec.Quorum.ONE, 0);
    }

    /**
     * " (did you mean 'x'? services: a, b)": the suggestion when a known id, dashes removed, starts with the
     * unknown one or the other way round (schemareg / schema-registry); then every known id.
     */
    private static String hint(String unknown, Set<String> known, String what) {
        String u = unknown.replace("-", "").toLowerCase(Locale.ROOT);
        String mean = "";
        for (String k : known) {
            String kk = k.replace("-", "").toLowerCase(Locale.ROOT);
            if (u.length() >= 4 && (kk.startsWith(u) || u.startsWith(kk))) {
                mean = "did you mean '" + k + "'? ";
                break;
            }
        }
        return " (" + mean + what + ": " + (known.isEmpty() ? "none declared" : String.join(", ", known)) + ")";
    }
}
