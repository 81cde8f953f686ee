package dev.dockhand.agent.catalog;

import dev.dockhand.agent.core.JsonTree;
import dev.dockhand.agent.core.Problems;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Cross-reference checks of a parsed catalog: ids, references, macros, and cycles in waits. The macro
 * list and the cycle finder are public for the workbench importer, which reports them at a script's line.
 */
public final class CatalogValidator {
    private CatalogValidator() {}

    static void validate(Catalog c, JsonTree tree, Problems problems) {
        for (int i = 0; i < c.services().size(); i++) {
            checkId(c.services().get(i).id(), "services[" + i + "].id", "service", tree, problems);
        }
        for (int i = 0; i < c.roles().size(); i++) {
            checkId(c.roles().get(i).id(), "roles[" + i + "].id", "role", tree, problems);
        }
        for (int i = 0; i < c.clusterConfigs().size(); i++) {
            checkId(c.clusterConfigs().get(i).id(), "clusterConfigs[" + i + "].id", "cluster config", tree, problems);
        }
        Set<String> serviceIds = unique(c.services().stream().map(ServiceSpec::id).toList(), "services", "service", tree, problems);
        Set<String> roleIds = unique(c.roles().stream().map(Role::id).toList(), "roles", "role", tree, problems);
        unique(c.clusterConfigs().stream().map(ClusterConfig::id).toList(), "clusterConfigs", "cluster config", tree, problems);

        for (int i = 0; i < c.clusterConfigs().size(); i++) {
            ClusterConfig cc = c.clusterConfigs().get(i);
            if (!insideTree(cc.kafkaLib())) {
                problems.add(tree.where("clusterConfigs[" + i + "].kafkaLib") + ": '" + cc.kafkaLib()
                        + "' must be a relative path inside the home dir (like lib/kafka4)");
            }
            String p = "clusterConfigs[" + i + "].assignments";
            cc.assignments().forEach((role, svcs) -> {
                if (!roleIds.contains(role)) {
                    problems.add(tree.where(p + "." + role) + ": cluster config '" + cc.id() + "' assigns unknown role '"
                            + role + "' (roles: " + String.join(", ", roleIds) + ")");
                }
                for (String s : svcs) {
                    if (!serviceIds.contains(s)) {
                        problems.add(tree.where(p + "." + role) + ": cluster config '" + cc.id() + "' gives role '" + role
                                + "' unknown service '" + s + "' (services: " + String.join(", ", serviceIds) + ")");
                    }
                }
            });
        }

        Set<String> targets = new HashSet<>();
        Map<Integer, List<String>> portOwners = new HashMap<>();
        for (int i = 0; i < c.services().size(); i++) {
            ServiceSpec s = c.services().get(i);
            String p = "services[" + i + "]";
            s.templates().forEach(t -> targets.add(t.target()));
            for (int j = 0; j < s.templates().size(); j++) {
                TemplateSpec t = s.templates().get(j);
                String tp = p + ".templates[" + j + "]";
                if (!insideTree(t.source())) {
                    problems.add(tree.where(tp + ".source") + ": '" + t.source() + "' must be a relative path inside the templates dir");
                }
                String target = t.target().startsWith("@@DATA_DIR@@/") ? t.target().substring("@@DATA_DIR@@/".length()) : t.target();
                if (!insideTree(target)) {
                    problems.add(tree.where(tp + ".target") + ": '" + t.target()
                            + "' must be a relative path inside the conf dir, or @@DATA_DIR@@/ and a relative path inside the data dir");
                }
            }
            for (String field : List.of("port", "internalPort")) {
                int port = field.equals("port") ? s.port() : s.internalPort();
                if (port > 65535) {
                    problems.add(tree.where(p + "." + field) + ": " + port + " is not a port number (1-65535)");
                } else if (port > 0) {
                    // two services may share a port when no role of any cluster config runs both (the brokers of
                    // ZooKeeper mode and of KRaft both take Kafka's 9092): they never meet on a node
                    for (String other : portOwners.getOrDefault(port, List.of())) {
                        if (other.equals(s.id())) {
                            problems.add(tree.where(p + "." + field) + ": service '" + s.id() + "' has port " + port + " twice; "
                                    + "its port and its internalPort must differ");
                            continue;
                        }
                        String role = sharedRole(c, s.id(), other);
                        if (role != null) {
                            problems.add(tree.where(p + "." + field) + ": service '" + s.id() + "' has port " + port + ", as service '"
                                    + other + "' has, and role '" + role + "' runs both; services that share a node need their own ports");
                        }
                    }
                    portOwners.computeIfAbsent(port, k -> new ArrayList<>()).add(s.id());
                }
            }
            for (int j = 0; j < s.prepare().size(); j++) {
                PrepareStep step = s.prepare().get(j);
                String sp = p + ".prepare[" + j + "]";
                if (!step.id().isEmpty()) {
                    checkId(step.id(), sp + ".id", "prepare step", tree, problems);
                }
                if (step.unless() != null) {
                    String u = step.unless().startsWith("@@DATA_DIR@@/") ? step.unless().substring("@@DATA_DIR@@/".length()) : step.unless();
                    if (!insideTree(u)) {
                        problems.add(tree.where(sp + ".unless") + ": '" + step.unless()
                                + "' must be @@DATA_DIR@@/ and a relative path inside the data dir, or a relative path inside the conf dir");
                    }
                }
                if (step.timeout().isZero() || step.timeout().isNegative()) {
                    problems.add(tree.where(sp + ".timeout") + ": a prepare step needs a timeout above 0");
                }
            }
            if (s.prepare().stream().map(PrepareStep::id).distinct().count() < s.prepare().size()) {
                problems.add(tree.where(p + ".prepare") + ": service '" + s.id() + "' has two prepare steps with the same id");
            }
            if (s.stop() != null && s.stop().waitUntilSafe() != null && StopSpec.Gate.of(s) == StopSpec.Gate.NONE) {
                problems.add(tree.where(p + ".stop.waitUntilSafe") + ": service '" + s.id() + "' has no stop gate to wait for: only a"
                        + " service with a 'kafka' probe (min.insync.replicas) or a 'zookeeper' probe and quorum 'majority' has one;"
                        + " remove waitUntilSafe");
            }
            OverrideSpec o = s.overrides();
            if (o != null && s.templates().stream().noneMatch(t -> t.target().equals(o.file()))) {
                problems.add(tree.where(p + ".overrideFile") + ": '" + o.file() + "' is not a template target of service '" + s.id() + "'");
            }
            if (o != null && !o.prefix().matches("[A-Z][A-Z0-9_]*_")) {
                problems.add(tree.where(p + ".overridePrefix") + ": '" + o.prefix() + "' must be upper case and end with '_' (like KAFKA_CFG_)");
            }
        }

        for (int i = 0; i < c.autogen().size(); i++) {
            Autogen a = c.autogen().get(i);
            String p = "autogen[" + i + "]";
            if (Macro.named(a.macro()).isEmpty()) {
                problems.add(tree.where(p + ".macro") + ": unknown macro '" + a.macro() + "' (macros: " + macroNames() + ")");
            }
            if (!targets.contains(a.file())) {
                problems.add(tree.where(p + ".file") + ": '" + a.file() + "' is not the target of any service's template");
            }
            if (!a.pattern().matches("@@[A-Za-z0-9_.\\-]+@@")) {
                problems.add(tree.where(p + ".pattern") + ": pattern '" + a.pattern() + "' must look like @@NAME@@");
            }
        }

        Map<String, List<String>> waits = new LinkedHashMap<>();
        for (int i = 0; i < c.startOrder().size(); i++) {
            StartEntry e = c.startOrder().get(i);
            String p = "startOrder[" + i + "]";
            if (!serviceIds.contains(e.service())) {
                problems.add(tree.where(p + ".service") + ": start order names unknown service '" + e.service() + "'");
            }
            if (waits.containsKey(e.service())) {
                problems.add(tree.where(p + ".service") + ": service '" + e.service() + "' is in the start order twice");
            }
            for (String w : e.waitFor()) {
                if (!serviceIds.contains(w)) {
                    problems.add(tree.where(p + ".waitFor") + ": '" + e.service() + "' waits for unknown service '" + w + "'");
                }
            }
            waits.put(e.service(), e.waitFor());
        }
        List<String> cycle = findCycle(waits);
        if (!cycle.isEmpty()) {
            problems.add(tree.where("startOrder") + ": the waits form a cycle: " + String.join(" -> ", cycle));
        }
    }

    /** A role that runs both services under some cluster config, or null. */
    private static String sharedRole(Catalog c, String a, String b) {
        for (ClusterConfig cc : c.clusterConfigs()) {
            for (var e : cc.assignments().entrySet()) {
                if (e.getValue().contains(a) && e.getValue().contains(b)) {
                    return e.getKey();
                }
            }
        }
        return null;
    }

    /** A relative path whose every segment is a name: no absolute path, no {@code ..}, no empty segment. */
    static boolean insideTree(String path) {
        if (path.isEmpty() || path.startsWith("/") || path.contains("\\")) {
            return false;
        }
        for (String seg : path.split("/", -1)) {
            if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
                return false;
            }
        }
        return true;
    }

    private static void checkId(String id, String path, String what, JsonTree tree, Problems problems) {
        if (id.isEmpty()) {
            return; // reported as missing already
        }
        String why = dev.dockhand.agent.core.Names.idProblem(id);
        if (why != null) {
            problems.add(tree.where(path) + ": " + what + " id '" + dev.dockhand.agent.core.Names.printable(id) + "' " + why);
        }
    }

    /** Every macro's name, comma-separated, for a message. */
    public static String macroNames() {
        return String.join(", ", java.util.Arrays.stream(Macro.values()).map(Enum::name).toList());
    }

    private static Set<String> unique(List<String> ids, String path, String what, JsonTree tree, Problems problems) {
        Set<String> seen = new java.util.LinkedHashSet<>();
        for (int i = 0; i < ids.size(); i++) {
            if (!seen.add(ids.get(i))) {
                problems.add(tree.where(path + "[" + i + "].id") + ": duplicate " + what + " id '" + ids.get(i) + "'");
            }
        }
        return seen;
    }

    /** A cycle in the wait graph as a path that starts and ends with the same service, or empty. */
    public static List<String> findCycle(Map<String, List<String>> waits) {
        Map<String, Integer> color = new HashMap<>(); // 0 white, 1 grey, 2 black
        for (String start : waits.keySet()) {
            List<String> path = new ArrayList<>();
            List<String> found = dfs(start, waits, color, path);
            if (!found.isEmpty()) {
                return found;
            }
        }
        return List.of();
    }

    private static List<String> dfs(String node, Map<String, List<String>> waits, Map<String, Integer> color, List<String> path) {
        int c = color.getOrDefault(node, 0);
        if (c == 2) {
            return List.of();
        }
        if (c == 1) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(node), path.size()));
            cycle.add(node);
            return cycle;
        }
        color.put(node, 1);
        path.add(node);
        for (String dep : waits.getOrDefault(node, List.of())) {
            List<String> found = dfs(dep, waits, color, path);
            if (!found.isEmpty()) {
                return found;
            }
        }
        path.remove(path.size() - 1);
        color.put(node, 2);
        return List.of();
    }
}
