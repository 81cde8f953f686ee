package dev.dockhand.it.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.dockhand.agent.catalog.Catalog;
import dev.dockhand.agent.catalog.ClusterConfig;
import dev.dockhand.agent.catalog.Role;
import dev.dockhand.agent.catalog.Security;
import dev.dockhand.agent.catalog.ServiceSpec;
import dev.dockhand.it.examples.Examples.NodeEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Structure and wiring of the deployments in {@code examples/}: what would otherwise only show when
 * someone deploys them (a StatefulSet whose pods nobody can resolve, a probe on the wrong port, a
 * node list naming a pod that does not exist, a role the catalog does not know).
 */
class ExamplesManifestTest {

    private static final String AGENT_PORT_PATH_READY = "/readyz";
    private static final String AGENT_PORT_PATH_LIVE = "/livez";
    private static final int AGENT_HTTP_PORT = 9800;
    private static final String DATA_DIR = "/var/lib/dockhand";

    // ------------------------------------------------------------------ Kubernetes

    /** One pod a StatefulSet creates, with the env the kubelet would give its agent container. */
    record Pod(String statefulSet, int ordinal, String namespace, String serviceName, Map<String, String> env) {
        String name() {
            return statefulSet + "-" + ordinal;
        }
    }

    /** The KRaft manifests the example leads with, and the ZooKeeper-mode ones kept as the legacy path. */
    private static final String KUBERNETES = "kubernetes";
    private static final String KUBERNETES_ZOOKEEPER = "kubernetes/zookeeper";

    @ParameterizedTest
    @ValueSource(strings = {KUBERNETES, KUBERNETES_ZOOKEEPER})
    void kubernetesManifestsWireEveryStatefulSetToAHeadlessServiceAndTheAgentEndpoints(String example) throws IOException {
        List<Map<String, Object>> docs = kubernetesDocuments(example);
        List<Map<String, Object>> statefulSets = ofKind(docs, "StatefulSet");
        assertFalse(statefulSets.isEmpty(), "no StatefulSet in examples/kubernetes");
        List<String> problems = new ArrayList<>();
        for (Map<String, Object> sts : statefulSets) {
            String name = str(sts, "metadata.name");
            String ns = str(sts, "metadata.namespace");
            String serviceName = str(sts, "spec.serviceName");
            Map<String, Object> podLabels = map(sts, "spec.template.metadata.labels");
            Map<String, Object> matchLabels = map(sts, "spec.selector.matchLabels");
            if (!podLabels.entrySet().containsAll(matchLabels.entrySet())) {
                problems.add(name + ": spec.selector.matchLabels " + matchLabels + " does not select its pod labels " + podLabels);
            }
            Optional<Map<String, Object>> svc = ofKind(docs, "Service").stream()
                    .filter(s -> Objects.equals(str(s, "metadata.name"), serviceName) && Objects.equals(str(s, "metadata.namespace"), ns))
                    .findFirst();
            if (svc.isEmpty()) {
                problems.add(name + ": serviceName '" + serviceName + "' names no Service in namespace " + ns);
            } else {
                if (!"None".equals(str(svc.get(), "spec.clusterIP"))) {
                    problems.add(name + ": Service " + serviceName + " is not headless (clusterIP: None): pods get no DNS names");
                }
                Map<String, Object> selector = map(svc.get(), "spec.selector");
                if (selector.isEmpty() || !podLabels.entrySet().containsAll(selector.entrySet())) {
                    problems.add(name + ": Service " + serviceName + " selector " + selector + " does not select pods labelled " + podLabels);
                }
                if (!Boolean.TRUE.equals(get(svc.get(), "spec.publishNotReadyAddresses"))) {
                    problems.add(name + ": Service " + serviceName + " must set publishNotReadyAddresses: true (peers resolve each other before ready)");
                }
            }
            if (!"Parallel".equals(str(sts, "spec.podManagementPolicy"))) {
                problems.add(name + ": podManagementPolicy must be Parallel (pod 0 is ready only once its peers run)");
            }
            Map<String, Object> c = agentContainer(sts);
            Map<String, String> env = containerEnv(docs, c, "dummy-0");
            String role = env.get("AGENT_ROLE");
            if (role == null || role.isBlank()) {
                problems.add(name + ": no AGENT_ROLE in the agent container's env");
            }
            // readiness may take as long as a broker needs to catch up: it must never get a pod killed
            checkProbe(problems, name, c, "startupProbe", AGENT_PORT_PATH_LIVE);
            checkProbe(problems, name, c, "readinessProbe", AGENT_PORT_PATH_READY);
            checkProbe(problems, name, c, "livenessProbe", AGENT_PORT_PATH_LIVE);
            Object period = get(c, "startupProbe.periodSeconds");
            Object threshold = get(c, "startupProbe.failureThreshold");
            long startupWindow = (period instanceof Number p ? p.longValue() : 10) * (threshold instanceof Number t ? t.longValue() : 3);
            if (startupWindow < Duration.ofMinutes(10).toSeconds()) {
                problems.add(name + ": startupProbe failureThreshold x periodSeconds = " + startupWindow
                        + " s; a broker recovering its logs needs at least 600 s before liveness may kill it");
            }
            Object grace = get(sts, "spec.template.spec.terminationGracePeriodSeconds");
            long minGrace = "broker".equals(role) ? 60 : 30;
            if (!(grace instanceof Number g) || g.longValue() < minGrace) {
                problems.add(name + ": terminationGracePeriodSeconds " + grace + " < " + minGrace + " s (controlled shutdown)");
            }
            Duration agentStop = agentStop(env.getOrDefault("AGENT_CLUSTER_CONFIG", "default"), role);
            if (!(grace instanceof Number g2) || g2.longValue() < agentStop.toSeconds()) {
                problems.add(name + ": terminationGracePeriodSeconds " + grace + " < " + agentStop.toSeconds() + " s, the catalog's stop"
                        + " grace of its services (the wait until a stop is safe included) and " + AGENT_MARGIN.toSeconds()
                        + " s for the agent: Kubernetes would SIGKILL a clean stop");
            }
            checkRollingUpdate(problems, docs, sts, name, podLabels);
            if (get(c, "resources.limits.memory") == null) {
                problems.add(name + ": no resources.limits.memory: the agent sizes heaps from the container's memory limit");
            }
            List<Object> mounts = list(c, "volumeMounts");
            if (mounts.stream().noneMatch(m -> DATA_DIR.equals(get(m, "mountPath")))) {
                problems.add(name + ": nothing mounted at " + DATA_DIR);
            }
            Object runAsUser = get(sts, "spec.template.spec.securityContext.runAsUser");
            if (!Boolean.TRUE.equals(get(sts, "spec.template.spec.securityContext.runAsNonRoot"))
                    || !(runAsUser instanceof Number u) || u.intValue() == 0) {
                problems.add(name + ": pod securityContext must say runAsNonRoot: true and a non-zero runAsUser");
            }
        }
        assertNoProblems(problems);
    }

    /**
     * A pod whose role runs a service with its own metrics (catalog metricsPort) asks Prometheus to
     * scrape that port (the prometheus.io annotations, one port per pod) and declares it; the others
     * do not ask.
     */
    @ParameterizedTest
    @ValueSource(strings = {KUBERNETES, KUBERNETES_ZOOKEEPER})
    void kubernetesPodsAskPrometheusToScrapeTheirServicesOwnMetrics(String example) throws IOException {
        Catalog catalog = Examples.catalog();
        List<Map<String, Object>> docs = kubernetesDocuments(example);
        List<String> problems = new ArrayList<>();
        int scraped = 0;
        for (Map<String, Object> sts : ofKind(docs, "StatefulSet")) {
            String name = str(sts, "metadata.name");
            Map<String, String> env = containerEnv(docs, agentContainer(sts), "dummy-0");
            List<Integer> ports = Examples.servicesOf(catalog, env.get("AGENT_CLUSTER_CONFIG"), env.get("AGENT_ROLE")).stream()
                    .map(s -> catalog.service(s).map(ServiceSpec::metricsPort).orElse(0)).filter(p -> p > 0).toList();
            Map<String, Object> annotations = map(sts, "spec.template.metadata.annotations");
            if (ports.size() > 1) {
                problems.add(name + ": its role runs " + ports.size() + " services with metrics, the annotations name one port");
            } else if (ports.isEmpty()) {
                if ("true".equals(String.valueOf(annotations.get("prometheus.io/scrape")))) {
                    problems.add(name + ": asks to be scraped, but its role runs no service with a metricsPort");
                }
            } else {
                scraped++;
                String port = String.valueOf(ports.get(0));
                if (!"true".equals(String.valueOf(annotations.get("prometheus.io/scrape")))
                        || !port.equals(String.valueOf(annotations.get("prometheus.io/port")))
                        || !"/metrics".equals(String.valueOf(annotations.get("prometheus.io/path")))) {
                    problems.add(name + ": pod annotations " + annotations + " must be prometheus.io/scrape \"true\", prometheus.io/port \""
                            + port + "\" (catalog metricsPort), prometheus.io/path /metrics");
                }
                if (list(agentContainer(sts), "ports").stream().noneMatch(p -> ports.get(0).equals(get(p, "containerPort")))) {
                    problems.add(name + ": the agent container does not declare containerPort " + port + " (metrics)");
                }
            }
        }
        assertTrue(scraped >= 2, "the brokers and ZooKeeper or the controllers have metrics to scrape; pods that ask: " + scraped);
        assertNoProblems(problems);
    }

    @ParameterizedTest
    @ValueSource(strings = {KUBERNETES, KUBERNETES_ZOOKEEPER})
    void kubernetesNodeListNamesExactlyThePodsTheStatefulSetsCreate(String example) throws IOException {
        List<Map<String, Object>> docs = kubernetesDocuments(example);
        List<Pod> pods = pods(docs);
        Set<NodeEntry> expected = new HashSet<>();
        List<String> problems = new ArrayList<>();
        for (Pod pod : pods) {
            String fqdn = pod.env().get("AGENT_FQDN");
            String wanted = pod.name() + "." + pod.serviceName() + "." + pod.namespace() + ".svc.cluster.local";
            if (!wanted.equals(fqdn)) {
                problems.add(pod.name() + ": AGENT_FQDN is '" + fqdn + "', its DNS name is " + wanted);
            }
            expected.add(new NodeEntry(pod.env().get("AGENT_ROLE"), wanted));
        }
        Set<String> nodeLists = pods.stream().map(p -> p.env().get("AGENT_NODES")).collect(Collectors.toSet());
        if (nodeLists.size() != 1 || nodeLists.contains(null)) {
            problems.add("every pod must get the same AGENT_NODES; found " + nodeLists);
        } else {
            List<NodeEntry> nodes = Examples.parseNodes(nodeLists.iterator().next());
            assertEquals(nodes.size(), new HashSet<>(nodes).size(), "AGENT_NODES lists a node twice: " + nodes);
            Set<NodeEntry> listed = new HashSet<>(nodes);
            for (NodeEntry e : expected) {
                if (!listed.contains(e)) {
                    problems.add("AGENT_NODES lacks " + e.role() + "=" + e.fqdn() + " (a pod the StatefulSets create)");
                }
            }
            for (NodeEntry e : listed) {
                if (!expected.contains(e)) {
                    problems.add("AGENT_NODES lists " + e.role() + "=" + e.fqdn() + ", which no StatefulSet creates");
                }
            }
        }
        Set<String> configs = pods.stream().map(p -> p.env().get("AGENT_CLUSTER_CONFIG")).collect(Collectors.toSet());
        if (configs.size() != 1 || configs.contains(null)) {
            problems.add("every pod must get the same AGENT_CLUSTER_CONFIG; found " + configs);
        }
        assertNoProblems(problems);
        assertRolesKnownToCatalog(pods.stream().map(p -> Map.entry(p.name(), p.env())).toList());
    }

    /**
     * The Kubernetes example leads with Kafka 4: its top-level manifests are the {@code kraft} config (controllers
     * and brokers, no ZooKeeper), its README starts there and points to the ZooKeeper-mode manifests as the
     * legacy path and to the migration runbook.
     */
    @Test
    void kubernetesLeadsWithKraftAndKeepsZooKeeperModeAsTheLegacyPath() throws IOException {
        Set<String> kraftRoles = pods(kubernetesDocuments(KUBERNETES)).stream().map(p -> p.env().get("AGENT_ROLE")).collect(Collectors.toSet());
        assertTrue(kraftRoles.containsAll(List.of("controller", "broker")) && !kraftRoles.contains("zookeeper"),
                "examples/kubernetes: KRaft controllers and brokers, no ZooKeeper; roles " + kraftRoles);
        assertEquals(Set.of("kraft"), pods(kubernetesDocuments(KUBERNETES)).stream().map(p -> p.env().get("AGENT_CLUSTER_CONFIG"))
                .collect(Collectors.toSet()), "examples/kubernetes: cluster config");
        assertEquals(Set.of("production"), pods(kubernetesDocuments(KUBERNETES_ZOOKEEPER)).stream()
                .map(p -> p.env().get("AGENT_CLUSTER_CONFIG")).collect(Collectors.toSet()), "examples/kubernetes/zookeeper: cluster config");
        String readme = Files.readString(Examples.repoRoot().resolve("examples/kubernetes/README.md"));
        String title = readme.lines().findFirst().orElse("");
        assertTrue(title.startsWith("# ") && title.contains("kraft"), "examples/kubernetes/README.md leads with kraft: " + title);
        assertTrue(readme.contains("zookeeper/") && readme.contains("examples/migration"),
                "examples/kubernetes/README.md points to the ZooKeeper-mode manifests (legacy) and the migration runbook");
    }

    /**
     * Clients outside Kubernetes reach each broker at the address it advertises. For every broker pod, the
     * outside address derived from the env it gets (AGENT_EXTERNAL_HOST with {id} and {host}, AGENT_EXTERNAL_PORT
     * {@code N} or {@code N+id}, the node id its position in AGENT_NODES) is served by exactly one Service of type
     * NodePort or LoadBalancer, which selects that pod and no other (its {@code statefulset.kubernetes.io/pod-name}
     * and its labels) with port = targetPort = the advertised port, and a NodePort's nodePort the same number in
     * Kubernetes' default range (what a client gets back in the metadata is what reaches the broker). No two
     * brokers share an address, no such Service is left over, and the README documents the LoadBalancer variant.
     */
    @Test
    void kubernetesGivesEachBrokerAnOutsideServiceAtTheAddressItAdvertises() throws IOException {
        List<Map<String, Object>> docs = kubernetesDocuments(KUBERNETES);
        List<Pod> pods = pods(docs);
        List<String> problems = new ArrayList<>();
        List<Map<String, Object>> outside = ofKind(docs, "Service").stream()
                .filter(svc -> Set.of("NodePort", "LoadBalancer").contains(String.valueOf(str(svc, "spec.type")))).toList();
        assertFalse(outside.isEmpty(), "examples/kubernetes: no NodePort or LoadBalancer Service for clients outside");
        Map<Map<String, Object>, List<Pod>> selected = new LinkedHashMap<>();
        for (Map<String, Object> svc : outside) {
            Map<String, Object> selector = map(svc, "spec.selector");
            List<Pod> hits = pods.stream().filter(pod -> Objects.equals(pod.namespace(), str(svc, "metadata.namespace"))
                    && podLabels(docs, pod).entrySet().containsAll(selector.entrySet())).toList();
            selected.put(svc, hits);
            if (hits.size() != 1 || !"broker".equals(hits.get(0).env().get("AGENT_ROLE"))) {
                problems.add("Service " + str(svc, "metadata.name") + ": selector " + selector + " selects "
                        + hits.stream().map(Pod::name).toList() + ", not exactly one broker pod");
            }
        }
        Set<String> addresses = new HashSet<>();
        for (Pod pod : pods.stream().filter(p -> "broker".equals(p.env().get("AGENT_ROLE"))).toList()) {
            String hostPattern = pod.env().get("AGENT_EXTERNAL_HOST");
            String portSpec = pod.env().get("AGENT_EXTERNAL_PORT");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]+)(\\+id)?").matcher(portSpec == null ? "" : portSpec);
            if (hostPattern == null || !m.matches()) {
                problems.add(pod.name() + ": AGENT_EXTERNAL_HOST '" + hostPattern + "' and AGENT_EXTERNAL_PORT '" + portSpec
                        + "' declare no outside address (a host, and N or N+id)");
                continue;
            }
            List<NodeEntry> nodes = Examples.parseNodes(pod.env().get("AGENT_NODES"));
            int id = nodes.indexOf(new NodeEntry("broker", pod.env().get("AGENT_FQDN"))) + 1;
            int port = Integer.parseInt(m.group(1)) + (m.group(2) != null ? id : 0);
            String host = hostPattern.replace("{id}", String.valueOf(id)).replace("{host}", pod.env().get("AGENT_FQDN").split("\\.")[0]);
            if (!addresses.add(host + ":" + port)) {
                problems.add(pod.name() + ": advertises " + host + ":" + port + ", as another broker does");
            }
            List<Map<String, Object>> serving = selected.entrySet().stream().filter(e -> e.getValue().equals(List.of(pod)))
                    .map(Map.Entry::getKey).toList();
            if (serving.size() != 1) {
                problems.add(pod.name() + " (node id " + id + ", advertises " + host + ":" + port + "): " + serving.size()
                        + " outside Services select it alone, expected 1");
                continue;
            }
            Map<String, Object> svc = serving.get(0);
            String type = str(svc, "spec.type");
            boolean served = list(svc, "spec.ports").stream().anyMatch(sp -> Objects.equals(get(sp, "port"), port)
                    && Objects.equals(get(sp, "targetPort"), port)
                    && (!"NodePort".equals(type) || Objects.equals(get(sp, "nodePort"), port)));
            if (!served) {
                problems.add("Service " + str(svc, "metadata.name") + " (" + type + "): no port with port = targetPort"
                        + ("NodePort".equals(type) ? " = nodePort" : "") + " = " + port + ", the outside port " + pod.name()
                        + " (node id " + id + ") advertises; ports " + list(svc, "spec.ports"));
            }
            if ("NodePort".equals(type) && (port < 30000 || port > 32767)) {
                problems.add(pod.name() + ": outside port " + port + " is outside Kubernetes' default NodePort range 30000-32767");
            }
        }
        String readme = Files.readString(Examples.repoRoot().resolve("examples/kubernetes/README.md"));
        if (!readme.contains("type: LoadBalancer") || !readme.contains("AGENT_EXTERNAL_HOST")) {
            problems.add("examples/kubernetes/README.md: no LoadBalancer variant of the outside Services (type: LoadBalancer, AGENT_EXTERNAL_HOST)");
        }
        assertNoProblems(problems);
    }

    /** The labels a pod of the StatefulSet gets: its template's and the controller's pod-name label. */
    private static Map<String, Object> podLabels(List<Map<String, Object>> docs, Pod pod) {
        Map<String, Object> labels = new LinkedHashMap<>(ofKind(docs, "StatefulSet").stream()
                .filter(sts -> pod.statefulSet().equals(str(sts, "metadata.name"))).findFirst()
                .map(sts -> map(sts, "spec.template.metadata.labels")).orElse(Map.of()));
        labels.put("statefulset.kubernetes.io/pod-name", pod.name());
        return labels;
    }

    /**
     * A secured pod (its cluster config secured by default, no AGENT_SECURITY=plaintext) is given the one secret:
     * AGENT_CA_CERT_FILE, AGENT_CA_KEY_FILE and AGENT_USERS_FILE name files in a directory where a Secret is
     * mounted read-only with mode 0440 (the pod's group, fsGroup, reads it; the agent refuses a key or users file
     * others may read), the same Secret on every pod, and the README says how to make it.
     */
    @ParameterizedTest
    @ValueSource(strings = {KUBERNETES, KUBERNETES_ZOOKEEPER})
    void kubernetesSecuredPodsMountTheClustersOneSecret(String example) throws IOException {
        Catalog catalog = Examples.catalog();
        List<Map<String, Object>> docs = kubernetesDocuments(example);
        List<String> problems = new ArrayList<>();
        Set<String> secretNames = new HashSet<>();
        for (Map<String, Object> sts : ofKind(docs, "StatefulSet")) {
            String name = str(sts, "metadata.name");
            Map<String, Object> c = agentContainer(sts);
            Map<String, String> env = containerEnv(docs, c, name + "-0");
            if (!secured(catalog, env.get("AGENT_CLUSTER_CONFIG"), env.get("AGENT_SECURITY"))) {
                problems.add(name + ": not secured (cluster config " + env.get("AGENT_CLUSTER_CONFIG") + ", AGENT_SECURITY "
                        + env.get("AGENT_SECURITY") + "): the example runs as shipped, secured");
                continue;
            }
            for (String key : List.of("AGENT_CA_CERT_FILE", "AGENT_CA_KEY_FILE", "AGENT_USERS_FILE")) {
                String file = env.get(key);
                if (file == null || !file.startsWith("/")) {
                    problems.add(name + ": " + key + " is '" + file + "', an absolute path in the mounted Secret");
                    continue;
                }
                String dir = file.substring(0, file.lastIndexOf('/'));
                Optional<Object> mount = list(c, "volumeMounts").stream().filter(m -> dir.equals(get(m, "mountPath"))).findFirst();
                if (mount.isEmpty()) {
                    problems.add(name + ": " + key + "=" + file + ": nothing is mounted at " + dir);
                    continue;
                }
                if (!Boolean.TRUE.equals(get(mount.get(), "readOnly"))) {
                    problems.add(name + ": the mount at " + dir + " is not readOnly");
                }
                Object volumeName = get(mount.get(), "name");
                Optional<Object> volume = list(sts, "spec.template.spec.volumes").stream()
                        .filter(v -> Objects.equals(get(v, "name"), volumeName)).findFirst();
                Object secretName = volume.map(v -> get(v, "secret.secretName")).orElse(null);
                if (secretName == null) {
                    problems.add(name + ": the volume " + volumeName + " at " + dir + " is no Secret");
                    continue;
                }
                secretNames.add(String.valueOf(secretName));
                if (!(get(volume.get(), "secret.defaultMode") instanceof Number mode) || mode.intValue() != 0440) {
                    problems.add(name + ": Secret " + secretName + " mounted with defaultMode " + get(volume.get(), "secret.defaultMode")
                            + ", expected 0440 (others may not read the key or the users)");
                }
            }
        }
        if (secretNames.size() != 1) {
            problems.add("every pod must mount the same one Secret; found " + secretNames);
        } else {
            String readme = Files.readString(Examples.repoRoot().resolve("examples/" + example + "/README.md"));
            String secret = secretNames.iterator().next();
            if (!readme.contains("create secret generic " + secret) || !readme.contains("ca init")) {
                problems.add("examples/" + example + "/README.md: no `agent ca init` and `kubectl create secret generic " + secret + "` step");
            }
        }
        assertNoProblems(problems);
    }

    /** The node's security as the agent decides it: AGENT_SECURITY, else its cluster config's own. */
    private static boolean secured(Catalog catalog, String config, String agentSecurity) {
        if (agentSecurity != null && !agentSecurity.isBlank()) {
            return Security.parse(agentSecurity.strip()) == Security.TLS;
        }
        return catalog.clusterConfig(config).map(cc -> cc.security() == Security.TLS).orElse(false);
    }

    // ------------------------------------------------------------------ compose

    @ParameterizedTest
    @ValueSource(strings = {"compose-default", "compose-production", "compose-kraft"})
    void composeNodeListResolvesToServicesWithTheSameRoleAndFqdn(String example) throws IOException {
        ComposeFile compose = ComposeFile.read(Examples.repoRoot().resolve("examples/" + example + "/docker-compose.yml"), Map.of());
        List<String> problems = new ArrayList<>();
        Map<String, ComposeFile.Service> byFqdn = new LinkedHashMap<>();
        for (ComposeFile.Service s : compose.services()) {
            for (String key : List.of("AGENT_ROLE", "AGENT_FQDN", "AGENT_NODES", "AGENT_CLUSTER_CONFIG", "AGENT_CLUSTER_NAME")) {
                if (s.env(key) == null || s.env(key).isBlank()) {
                    problems.add(s.name() + ": no " + key);
                }
            }
            if (!Objects.equals(s.env("AGENT_FQDN"), s.containerName())) {
                problems.add(s.name() + ": AGENT_FQDN '" + s.env("AGENT_FQDN") + "' is not its container name '" + s.containerName()
                        + "' (the name other containers reach it by)");
            }
            byFqdn.put(s.containerName(), s);
            if (s.memLimit() == null) {
                problems.add(s.name() + ": no mem_limit: the agent sizes heaps from the container's memory limit");
            }
            if (s.volumes().stream().noneMatch(v -> v.endsWith(":" + DATA_DIR))) {
                problems.add(s.name() + ": no volume at " + DATA_DIR);
            }
            for (String v : s.volumes()) {
                String source = v.substring(0, v.indexOf(':'));
                if (!source.startsWith("/") && !source.startsWith(".") && !compose.volumes().contains(source)) {
                    problems.add(s.name() + ": volume '" + source + "' is not declared under top-level volumes:");
                }
            }
            if ("broker".equals(s.env("AGENT_ROLE")) && s.stopGracePeriod().compareTo(Duration.ofSeconds(60)) < 0) {
                problems.add(s.name() + ": stop_grace_period " + s.stopGracePeriod() + " < 60 s for a broker");
            }
            if (s.env("AGENT_ROLE") != null) {
                Duration agentStop = agentStop(s.env("AGENT_CLUSTER_CONFIG"), s.env("AGENT_ROLE"));
                if (s.stopGracePeriod().compareTo(agentStop) < 0) {
                    problems.add(s.name() + ": stop_grace_period " + s.stopGracePeriod().toSeconds() + " s < " + agentStop.toSeconds()
                            + " s, the catalog's stop grace of its services (the wait until a stop is safe included) and "
                            + AGENT_MARGIN.toSeconds() + " s for the agent: docker stop would SIGKILL a clean stop");
                }
            }
        }
        Set<String> nodeLists = compose.services().stream().map(s -> s.env("AGENT_NODES")).collect(Collectors.toSet());
        if (nodeLists.size() != 1) {
            problems.add("every service must get the same AGENT_NODES; found " + nodeLists);
        } else if (!nodeLists.contains(null)) {
            List<NodeEntry> nodes = Examples.parseNodes(nodeLists.iterator().next());
            assertEquals(nodes.size(), new HashSet<>(nodes).size(), "AGENT_NODES lists a node twice: " + nodes);
            for (NodeEntry n : nodes) {
                ComposeFile.Service s = byFqdn.get(n.fqdn());
                if (s == null) {
                    problems.add("AGENT_NODES entry " + n.role() + "=" + n.fqdn() + " is no container of " + example);
                } else if (!n.role().equals(s.env("AGENT_ROLE"))) {
                    problems.add("AGENT_NODES says " + n.fqdn() + " is a " + n.role() + ", its AGENT_ROLE is " + s.env("AGENT_ROLE"));
                }
            }
            Set<String> listed = nodes.stream().map(NodeEntry::fqdn).collect(Collectors.toSet());
            byFqdn.keySet().stream().filter(f -> !listed.contains(f))
                    .forEach(f -> problems.add("container " + f + " is missing from AGENT_NODES"));
        }
        assertNoProblems(problems);
        assertRolesKnownToCatalog(compose.services().stream().map(s -> Map.entry(s.name(), s.environment())).toList());
    }

    /**
     * The secured compose examples run as shipped, secured: every service is given the one secret (the CA's
     * certificate and key, the users) as Compose secrets made by `agent ca init`, the env names them under
     * /run/secrets, and Docker's health is the agent's readiness.
     */
    @ParameterizedTest
    @ValueSource(strings = {"compose-production", "compose-kraft"})
    void composeSecuredExamplesGiveEveryServiceTheOneSecret(String example) throws IOException {
        Catalog catalog = Examples.catalog();
        ComposeFile compose = ComposeFile.read(Examples.repoRoot().resolve("examples/" + example + "/docker-compose.yml"), Map.of());
        List<String> problems = new ArrayList<>();
        for (ComposeFile.Service s : compose.services()) {
            if (!secured(catalog, s.env("AGENT_CLUSTER_CONFIG"), s.env("AGENT_SECURITY"))) {
                problems.add(s.name() + ": not secured (AGENT_SECURITY " + s.env("AGENT_SECURITY") + "): the example runs as shipped, secured");
            }
            // least privilege: the registry's and the console's nodes run no Kafka and sign nothing, so they hold no CA
            // key and are given their own certificate; every other node issues its own with the CA's key
            String role = s.env("AGENT_ROLE");
            boolean given = "schemareg".equals(role) || "gateway".equals(role);
            Map<String, String> wanted = given
                    ? Map.of("AGENT_CA_CERT_FILE", "ca.crt", "AGENT_USERS_FILE", "users", "AGENT_TLS_CERT_FILE", s.name() + ".crt",
                            "AGENT_TLS_KEY_FILE", s.name() + ".key")
                    : Map.of("AGENT_CA_CERT_FILE", "ca.crt", "AGENT_CA_KEY_FILE", "ca.key", "AGENT_USERS_FILE", "users");
            wanted.forEach((key, secret) -> {
                if (!s.secrets().contains(secret) || !compose.secrets().containsKey(secret)) {
                    problems.add(s.name() + ": not given the secret " + secret);
                }
                if (!("/run/secrets/" + secret).equals(s.env(key))) {
                    problems.add(s.name() + ": " + key + " is " + s.env(key) + ", expected /run/secrets/" + secret);
                }
            });
            if (given && (s.secrets().contains("ca.key") || (s.env("AGENT_CA_KEY_FILE") != null && !s.env("AGENT_CA_KEY_FILE").isEmpty()))) {
                problems.add(s.name() + ": holds the CA key, though a " + role + " node signs nothing (least privilege: give it its certificate)");
            }
            if (!"agent ready".equals(s.healthCmd())) {
                problems.add(s.name() + ": healthcheck " + s.healthCmd() + ", expected [CMD, agent, ready] (healthy = every service ready)");
            }
        }
        String readme = Files.readString(Examples.repoRoot().resolve("examples/" + example + "/README.md"));
        if (!readme.contains("ca init --out /secrets --users")) {
            problems.add("examples/" + example + "/README.md: no `agent ca init` step making the secrets");
        }
        if (!readme.contains("ca issue --ca /secrets --out /secrets --name")) {
            problems.add("examples/" + example + "/README.md: no `agent ca issue` step for the nodes given their certificate");
        }
        assertNoProblems(problems);
    }

    /**
     * The secured compose examples work from the Docker host: every service shares one outside address,
     * {@code AGENT_EXTERNAL_HOST} (localhost unless DOCKHAND_EXTERNAL_HOST names the host) and
     * {@code AGENT_EXTERNAL_PORT} {@code N+id}, and each broker publishes its own outside port, N plus its node id
     * (its position in AGENT_NODES), as the same number on the host (the port it listens on and advertises);
     * no other service publishes one of those ports. The README shows kcat on the host.
     */
    @ParameterizedTest
    @ValueSource(strings = {"compose-production", "compose-kraft"})
    void composeBrokersPublishTheOutsidePortTheyAdvertise(String example) throws IOException {
        ComposeFile compose = ComposeFile.read(Examples.repoRoot().resolve("examples/" + example + "/docker-compose.yml"), Map.of());
        ComposeFile named = ComposeFile.read(Examples.repoRoot().resolve("examples/" + example + "/docker-compose.yml"),
                Map.of("DOCKHAND_EXTERNAL_HOST", "docker-host.example.com"));
        List<String> problems = new ArrayList<>();
        Set<String> hosts = compose.services().stream().map(s -> String.valueOf(s.env("AGENT_EXTERNAL_HOST"))).collect(Collectors.toSet());
        Set<String> ports = compose.services().stream().map(s -> String.valueOf(s.env("AGENT_EXTERNAL_PORT"))).collect(Collectors.toSet());
        assertEquals(Set.of("localhost"), hosts, "every service's AGENT_EXTERNAL_HOST, DOCKHAND_EXTERNAL_HOST unset");
        assertEquals(Set.of("docker-host.example.com"), named.services().stream().map(s -> s.env("AGENT_EXTERNAL_HOST"))
                .collect(Collectors.toSet()), "every service's AGENT_EXTERNAL_HOST with DOCKHAND_EXTERNAL_HOST set");
        assertEquals(1, ports.size(), "one AGENT_EXTERNAL_PORT for every service: " + ports);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]+)\\+id").matcher(ports.iterator().next());
        assertTrue(m.matches(), "AGENT_EXTERNAL_PORT is N+id (one host, a port per broker): " + ports);
        int base = Integer.parseInt(m.group(1));
        List<NodeEntry> nodes = Examples.parseNodes(compose.services().get(0).env("AGENT_NODES"));
        Set<String> outsidePorts = new HashSet<>();
        for (ComposeFile.Service s : compose.services()) {
            if ("broker".equals(s.env("AGENT_ROLE"))) {
                int id = nodes.indexOf(new NodeEntry("broker", s.env("AGENT_FQDN"))) + 1;
                String published = (base + id) + ":" + (base + id);
                outsidePorts.add(String.valueOf(base + id));
                if (!s.ports().contains(published)) {
                    problems.add(s.name() + " (node id " + id + "): publishes " + s.ports() + ", not its outside port as " + published);
                }
            }
        }
        for (ComposeFile.Service s : compose.services()) {
            if (!"broker".equals(s.env("AGENT_ROLE"))) {
                s.ports().stream().filter(p -> outsidePorts.contains(p.substring(0, p.indexOf(':'))))
                        .forEach(p -> problems.add(s.name() + ": publishes " + p + ", a broker's outside port"));
            }
        }
        String readme = Files.readString(Examples.repoRoot().resolve("examples/" + example + "/README.md"));
        if (!readme.contains("DOCKHAND_EXTERNAL_HOST") || !readme.contains("kcat -b localhost:")
                || !outsidePorts.stream().allMatch(p -> readme.contains("localhost:" + p))) {
            problems.add("examples/" + example + "/README.md: no kcat on the Docker host (kcat -b localhost:PORT, each of "
                    + outsidePorts + ") or no DOCKHAND_EXTERNAL_HOST");
        }
        assertNoProblems(problems);
    }

    /**
     * The production compose example rolls with roll.sh and shows readiness as Docker's health state: its
     * health check is {@code agent ready}, and roll.sh is there, executable, and waits for {@code agent ready}.
     */
    @Test
    void composeProductionRollsByReadinessAndReportsItAsItsHealth() throws IOException {
        Path dir = Examples.repoRoot().resolve("examples/compose-production");
        ComposeFile compose = ComposeFile.read(dir.resolve("docker-compose.yml"), Map.of());
        List<String> problems = new ArrayList<>();
        for (ComposeFile.Service s : compose.services()) {
            if (!"agent ready".equals(s.healthCmd())) {
                problems.add(s.name() + ": healthcheck " + s.healthCmd() + ", expected [CMD, agent, ready] (healthy = every service ready)");
            }
        }
        assertNoProblems(problems);
        Path roll = dir.resolve("roll.sh");
        assertTrue(Files.isExecutable(roll), roll + " is executable");
        String script = Files.readString(roll);
        assertTrue(script.contains("agent ready"), "roll.sh waits for the agent's readiness");
        String readme = Files.readString(dir.resolve("README.md"));
        assertTrue(readme.contains("roll.sh"), "examples/compose-production/README.md documents roll.sh");
        for (String k8s : List.of(KUBERNETES, KUBERNETES_ZOOKEEPER)) {
            String text = Files.readString(Examples.repoRoot().resolve("examples/" + k8s + "/README.md"));
            assertTrue(text.contains("maxUnavailable"), "examples/" + k8s + "/README.md documents how the StatefulSets roll");
        }
    }

    @Test
    void devExampleEnvFileNamesTheStandaloneRoleOfTheSingleNodeConfig() throws IOException {
        Path envFile = Examples.repoRoot().resolve("examples/dev/dev.env");
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(envFile)) {
            p.load(r);
        }
        assertEquals("standalone", p.getProperty("AGENT_ROLE"), envFile + ": AGENT_ROLE");
        assertEquals("single-node", p.getProperty("AGENT_CLUSTER_CONFIG"), envFile + ": AGENT_CLUSTER_CONFIG");
        Map<String, String> env = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> env.put(k, p.getProperty(k)));
        assertRolesKnownToCatalog(List.of(Map.entry("examples/dev/dev.env", env)));
        String readme = Files.readString(Examples.repoRoot().resolve("examples/dev/README.md"));
        for (String port : List.of("9092", "8081", "9021", "9800")) {
            assertTrue(readme.contains("-p " + port + ":" + port), "examples/dev/README.md: the docker run line publishes no port " + port);
        }
        assertTrue(readme.contains(":" + DATA_DIR), "examples/dev/README.md: the docker run line mounts no volume at " + DATA_DIR);
    }

    // ------------------------------------------------------------------ helpers

    /** Every node's role and cluster config exist in templates/catalog.json (which must exist) and run something. */
    private static void assertRolesKnownToCatalog(List<Map.Entry<String, Map<String, String>>> nodes) {
        Catalog catalog = Examples.catalog();
        List<String> roles = catalog.roles().stream().map(Role::id).toList();
        List<String> configs = catalog.clusterConfigs().stream().map(ClusterConfig::id).toList();
        List<String> problems = new ArrayList<>();
        for (var node : nodes) {
            String role = node.getValue().get("AGENT_ROLE");
            String config = node.getValue().getOrDefault("AGENT_CLUSTER_CONFIG", "default");
            if (!roles.contains(role)) {
                problems.add(node.getKey() + ": AGENT_ROLE '" + role + "' is no role of templates/catalog.json " + roles);
            } else if (!configs.contains(config)) {
                problems.add(node.getKey() + ": AGENT_CLUSTER_CONFIG '" + config + "' is not in templates/catalog.json " + configs);
            } else if (Examples.servicesOf(catalog, config, role).isEmpty()) {
                problems.add(node.getKey() + ": role '" + role + "' runs nothing in cluster config '" + config + "'");
            }
            String list = node.getValue().getOrDefault("AGENT_NODES", "");
            for (NodeEntry n : list.isBlank() ? List.<NodeEntry>of() : Examples.parseNodes(list)) {
                if (!roles.contains(n.role())) {
                    problems.add(node.getKey() + ": AGENT_NODES role '" + n.role() + "' is not in templates/catalog.json");
                }
            }
        }
        assertNoProblems(problems);
    }

    /** Time the agent itself may need on top of its services' stops (its JVM's exit, the last log lines). */
    private static final Duration AGENT_MARGIN = Duration.ofSeconds(10);

    /**
     * The longest a node of {@code role} may take to stop when asked: the catalog stop graces of its
     * services added up (each service's SIGKILL comes at most its grace after its stop was requested, the
     * wait until the stop is safe included; a service stops once those that wait for it have), plus
     * {@link #AGENT_MARGIN}.
     */
    private static Duration agentStop(String config, String role) {
        Catalog catalog = Examples.catalog();
        Duration total = AGENT_MARGIN;
        for (String id : Examples.servicesOf(catalog, config == null ? "default" : config, role)) {
            total = total.plus(catalog.service(id).orElseThrow().stop().grace());
        }
        return total;
    }

    /**
     * A StatefulSet that Kubernetes can roll safely by itself: RollingUpdate one pod at a time
     * (maxUnavailable 1, each pod once the one before is Ready), and, with several pods, a
     * PodDisruptionBudget that lets voluntary disruptions (drains) take at most one of them at once.
     */
    private static void checkRollingUpdate(List<String> problems, List<Map<String, Object>> docs, Map<String, Object> sts, String name,
            Map<String, Object> podLabels) {
        if (!"RollingUpdate".equals(str(sts, "spec.updateStrategy.type"))) {
            problems.add(name + ": updateStrategy.type must be RollingUpdate, is " + str(sts, "spec.updateStrategy.type"));
        }
        Object maxUnavailable = get(sts, "spec.updateStrategy.rollingUpdate.maxUnavailable");
        if (!(maxUnavailable instanceof Number m) || m.intValue() != 1) {
            problems.add(name + ": updateStrategy.rollingUpdate.maxUnavailable must be 1 (one pod at a time), is " + maxUnavailable);
        }
        Object partition = get(sts, "spec.updateStrategy.rollingUpdate.partition");
        if (partition instanceof Number p && p.intValue() != 0) {
            problems.add(name + ": updateStrategy.rollingUpdate.partition " + partition + " leaves pods out of every update");
        }
        Object replicas = get(sts, "spec.replicas");
        if (!(replicas instanceof Number r) || r.intValue() < 2) {
            return; // one pod: nothing to keep one at a time
        }
        String ns = str(sts, "metadata.namespace");
        List<Map<String, Object>> budgets = ofKind(docs, "PodDisruptionBudget").stream()
                .filter(b -> Objects.equals(str(b, "metadata.namespace"), ns))
                .filter(b -> !map(b, "spec.selector.matchLabels").isEmpty()
                        && podLabels.entrySet().containsAll(map(b, "spec.selector.matchLabels").entrySet()))
                .toList();
        if (budgets.size() != 1) {
            problems.add(name + ": " + budgets.size() + " PodDisruptionBudgets select its pods; expected one");
        } else if (!(get(budgets.get(0), "spec.maxUnavailable") instanceof Number m) || m.intValue() != 1) {
            problems.add(name + ": its PodDisruptionBudget must say maxUnavailable: 1, says " + get(budgets.get(0), "spec"));
        }
    }

    private static void checkProbe(List<String> problems, String sts, Map<String, Object> c, String probe, String path) {
        Object p = get(c, probe + ".httpGet.path");
        Object port = get(c, probe + ".httpGet.port");
        if (!path.equals(p) || !(port instanceof Number n) || n.intValue() != AGENT_HTTP_PORT) {
            problems.add(sts + ": " + probe + " must be httpGet " + path + " on port " + AGENT_HTTP_PORT + ", is " + get(c, probe));
        }
    }

    private static List<Pod> pods(List<Map<String, Object>> docs) {
        List<Pod> pods = new ArrayList<>();
        for (Map<String, Object> sts : ofKind(docs, "StatefulSet")) {
            Object replicas = get(sts, "spec.replicas");
            int n = replicas instanceof Number r ? r.intValue() : 1;
            String name = str(sts, "metadata.name");
            for (int i = 0; i < n; i++) {
                pods.add(new Pod(name, i, str(sts, "metadata.namespace"), str(sts, "spec.serviceName"),
                        containerEnv(docs, agentContainer(sts), name + "-" + i)));
            }
        }
        return pods;
    }

    private static Map<String, Object> agentContainer(Map<String, Object> sts) {
        List<Object> containers = list(sts, "spec.template.spec.containers");
        return containers.stream().map(ExamplesManifestTest::asMap)
                .filter(c -> list(c, "ports").stream().anyMatch(p -> Objects.equals(get(p, "containerPort"), AGENT_HTTP_PORT)))
                .findFirst()
                .orElseThrow(() -> new AssertionError(str(sts, "metadata.name") + ": no container exposes the agent port " + AGENT_HTTP_PORT));
    }

    /** The container's env as the kubelet resolves it: envFrom ConfigMaps, then env with $(VAR) expanded. */
    private static Map<String, String> containerEnv(List<Map<String, Object>> docs, Map<String, Object> c, String podName) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Object from : list(c, "envFrom")) {
            String cm = (String) get(from, "configMapRef.name");
            assertNotNull(cm, "only configMapRef is supported in envFrom: " + from);
            Map<String, Object> data = ofKind(docs, "ConfigMap").stream()
                    .filter(d -> cm.equals(str(d, "metadata.name"))).findFirst()
                    .map(d -> map(d, "data"))
                    .orElseThrow(() -> new AssertionError("envFrom names ConfigMap " + cm + ", which is not in examples/kubernetes"));
            data.forEach((k, v) -> env.put(k, String.valueOf(v)));
        }
        for (Object e : list(c, "env")) {
            String name = (String) get(e, "name");
            Object value = get(e, "value");
            if (value == null && "metadata.name".equals(get(e, "valueFrom.fieldRef.fieldPath"))) {
                value = podName;
            }
            String v = value == null ? "" : String.valueOf(value);
            for (var known : env.entrySet()) {
                v = v.replace("$(" + known.getKey() + ")", known.getValue());
            }
            env.put(name, v);
        }
        return env;
    }

    private static List<Map<String, Object>> kubernetesDocuments(String example) throws IOException {
        Path dir = Examples.repoRoot().resolve("examples/" + example);
        List<Map<String, Object>> docs = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList()) {
                docs.addAll(Examples.yamlDocuments(f));
            }
        }
        assertFalse(docs.isEmpty(), "no manifests in " + dir);
        return docs;
    }

    private static List<Map<String, Object>> ofKind(List<Map<String, Object>> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static Object get(Object node, String path) {
        Object cur = node;
        for (String part : path.split("\\.")) {
            if (!(cur instanceof Map<?, ?> m)) {
                return null;
            }
            cur = m.get(part);
        }
        return cur;
    }

    private static String str(Object node, String path) {
        Object v = get(node, path);
        return v == null ? null : String.valueOf(v);
    }

    private static Map<String, Object> map(Object node, String path) {
        return asMap(get(node, path));
    }

    private static List<Object> list(Object node, String path) {
        Object v = get(node, path);
        return v instanceof List<?> l ? List.copyOf(l) : List.of();
    }

    private static void assertNoProblems(List<String> problems) {
        if (!problems.isEmpty()) {
            fail(problems.size() + " problem(s):\n  " + String.join("\n  ", problems));
        }
    }
}
