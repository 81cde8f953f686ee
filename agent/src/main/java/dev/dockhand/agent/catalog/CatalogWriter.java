package dev.dockhand.agent.catalog;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** Writes a {@link Catalog} as the JSON that {@link CatalogReader} reads (for import-workbench). */
public final class CatalogWriter {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private CatalogWriter() {}

    public static String toJson(Catalog c) {
        ObjectNode root = MAPPER.createObjectNode();
        ObjectNode d = root.putObject("distro");
        d.put("id", c.distro().id()).put("name", c.distro().name()).put("version", c.distro().version());
        ArrayNode roles = root.putArray("roles");
        c.roles().forEach(r -> roles.addObject().put("id", r.id()).put("cardinality", r.cardinality().toString()));
        ArrayNode services = root.putArray("services");
        for (ServiceSpec s : c.services()) {
            ObjectNode o = services.addObject();
            o.put("id", s.id()).put("name", s.name()).put("port", s.port());
            if (s.metricsPort() > 0) {
                o.put("metricsPort", s.metricsPort());
            }
            if (s.internalPort() > 0) {
                o.put("internalPort", s.internalPort());
            }
            if (s.when() != null) {
                o.put("when", s.when().id);
            }
            if (!s.certRenewal().isEmpty()) {
                strings(o.putArray("certRenewal"), s.certRenewal());
            }
            strings(o.putArray("command"), s.command());
            if (!s.env().isEmpty()) {
                ObjectNode env = o.putObject("env");
                s.env().forEach(env::put);
            }
            ArrayNode t = o.putArray("templates");
            s.templates().forEach(x -> template(t, x));
            if (s.overrides() != null) {
                o.put("overridePrefix", s.overrides().prefix());
                o.put("overrideFile", s.overrides().file());
                if (s.overrides().format() != OverrideSpec.Format.PROPERTIES) {
                    o.put("overrideFormat", s.overrides().format().id);
                }
                if (!s.overrides().keys().isEmpty()) {
                    strings(o.putArray("overrideKeys"), s.overrides().keys());
                }
                if (!s.overrides().dirKeys().isEmpty()) {
                    strings(o.putArray("overrideDirKeys"), s.overrides().dirKeys());
                }
            }
            if (!s.dataDirs().isEmpty()) {
                strings(o.putArray("dataDirs"), s.dataDirs());
            }
            if (s.quorum() == ServiceSpec.Quorum.MAJORITY) {
                o.put("quorum", "majority");
            }
            HealthSpec h = s.health();
            ObjectNode ho = o.putObject("health").put("type", h.type());
            if (h.probe().port() > 0) {
                ho.put("port", h.probe().port());
            }
            if (h.probe() instanceof ProbeSpec.Http http) {
                ho.put("path", http.path()).put("expectStatus", http.expectStatus());
                if (http.expectBody() != null) {
                    ho.put("expectBody", http.expectBody());
                }
            }
            if (h.probe() instanceof ProbeSpec.Kafka k && k.inSync()) {
                ho.put("readyWhen", "in-sync");
            }
            if (h.probe() instanceof ProbeSpec.KafkaQuorum q && q.brokerPort() > 0) {
                ho.put("brokerPort", q.brokerPort());
            }
            if (h.probe() instanceof ProbeSpec.Exec exec) {
                strings(ho.putArray("command"), exec.command());
            }
            ho.put("interval", Durations.format(h.interval())).put("timeout", Durations.format(h.timeout()))
                    .put("failureThreshold", h.failureThreshold()).put("startupTimeout", Durations.format(h.startupTimeout()));
            if (h.restartAfter() != null) {
                ho.put("restartAfter", Durations.format(h.restartAfter()));
            }
            if (!s.prepare().isEmpty()) {
                ArrayNode steps = o.putArray("prepare");
                for (PrepareStep step : s.prepare()) {
                    ObjectNode so = steps.addObject().put("id", step.id());
                    strings(so.putArray("command"), step.command());
                    if (step.unless() != null) {
                        so.put("unless", step.unless());
                    }
                    so.put("timeout", Durations.format(step.timeout()));
                }
            }
            ObjectNode so = o.putObject("stop").put("signal", s.stop().signal().name()).put("grace", Durations.format(s.stop().grace()));
            if (s.stop().waitUntilSafe() != null) {
                so.put("waitUntilSafe", Durations.format(s.stop().waitUntilSafe()));
            }
            RestartSpec r = s.restart();
            o.putObject("restart").put("policy", r.policy().id).put("initialBackoff", Durations.format(r.initialBackoff()))
                    .put("maxBackoff", Durations.format(r.maxBackoff())).put("maxRetries", r.maxRetries())
                    .put("resetAfter", Durations.format(r.resetAfter())).put("failStopsAgent", r.failStopsAgent());
            MemorySpec m = s.memory();
            o.putObject("memory").put("weight", m.weight()).put("minHeapMb", m.minHeapMb()).put("maxHeapMb", m.maxHeapMb())
                    .put("heapFraction", m.heapFraction()).put("fixedMb", m.fixedMb());
            if (s.user() != null) {
                o.put("user", s.user());
            }
            if (s.log() != null && s.log().file() != null) {
                o.putObject("log").put("file", s.log().file()).put("maxBytes", s.log().maxBytes());
            }
        }
        ArrayNode configs = root.putArray("clusterConfigs");
        for (ClusterConfig cc : c.clusterConfigs()) {
            ObjectNode o = configs.addObject().put("id", cc.id());
            if (!cc.description().isEmpty()) {
                o.put("description", cc.description());
            }
            if (cc.security() != Security.PLAINTEXT) {
                o.put("security", cc.security().id);
            }
            ObjectNode a = o.putObject("assignments");
            cc.assignments().forEach((role, svcs) -> strings(a.putArray(role), svcs));
            if (!cc.kafkaLib().equals(ClusterConfig.DEFAULT_KAFKA_LIB)) {
                o.put("kafkaLib", cc.kafkaLib());
            }
        }
        ArrayNode autogen = root.putArray("autogen");
        c.autogen().forEach(a -> autogen.addObject().put("file", a.file()).put("pattern", a.pattern()).put("macro", a.macro()));
        ArrayNode order = root.putArray("startOrder");
        c.startOrder().forEach(e -> strings(order.addObject().put("service", e.service()).putArray("waitFor"), e.waitFor()));
        if (!c.nodeTemplates().isEmpty()) {
            ArrayNode nt = root.putArray("nodeTemplates");
            c.nodeTemplates().forEach(x -> template(nt, x));
        }
        try {
            return MAPPER.writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write catalog JSON", e);
        }
    }

    private static void strings(ArrayNode a, List<String> values) {
        values.forEach(a::add);
    }

    private static void template(ArrayNode to, TemplateSpec t) {
        ObjectNode o = to.addObject().put("source", t.source()).put("target", t.target());
        if (t.when() != null) {
            o.put("when", t.when().id);
        }
    }

}
