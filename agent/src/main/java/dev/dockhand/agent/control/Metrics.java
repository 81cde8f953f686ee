package dev.dockhand.agent.control;

import dev.dockhand.agent.protocol.AgentSnapshot.ServiceSnapshot;
import dev.dockhand.agent.protocol.AgentSnapshot;
import dev.dockhand.agent.protocol.ServiceState;
import java.util.List;

/**
 * Renders a snapshot in the Prometheus text exposition format 0.0.4: one HELP and one TYPE line per
 * family, then its samples; label values escaped ({@code \\}, {@code "}, newline). Samples without
 * a value yet (probe metrics before the first probe) are left out rather than written as NaN.
 */
final class Metrics {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private Metrics() {}

    static String render(AgentSnapshot s) {
        StringBuilder b = new StringBuilder(2048);
        List<ServiceSnapshot> services = s.services() == null ? List.of() : s.services();

        family(b, "dockhand_service_up", "gauge", "1 when the service is READY, else 0.");
        for (ServiceSnapshot svc : services) {
            sample(b, "dockhand_service_up", svc, null, svc.state() == ServiceState.READY ? 1 : 0);
        }
        family(b, "dockhand_service_state", "gauge", "1 for the service's current state, 0 for every other state.");
        for (ServiceSnapshot svc : services) {
            for (ServiceState st : ServiceState.values()) {
                sample(b, "dockhand_service_state", svc, st.name(), svc.state() == st ? 1 : 0);
            }
        }
        family(b, "dockhand_service_restarts_total", "counter", "Restarts of the service since the agent started.");
        for (ServiceSnapshot svc : services) {
            sample(b, "dockhand_service_restarts_total", svc, null, svc.restarts());
        }
        family(b, "dockhand_service_probe_latency_seconds", "gauge", "Time the last health probe of the service took.");
        for (ServiceSnapshot svc : services) {
            if (svc.lastProbe() != null) {
                sample(b, "dockhand_service_probe_latency_seconds", svc, null, svc.lastProbe().latencyMs() / 1000.0);
            }
        }
        family(b, "dockhand_service_probe_success", "gauge", "1 when the last health probe of the service passed, else 0.");
        for (ServiceSnapshot svc : services) {
            if (svc.lastProbe() != null) {
                sample(b, "dockhand_service_probe_success", svc, null, svc.lastProbe().ok() ? 1 : 0);
            }
        }
        // only the services with a stop gate (a broker, a ZooKeeper member of an ensemble): a stop that waits until it is safe
        List<ServiceSnapshot> gated = services.stream().filter(x -> x.stopGate() != null).toList();
        family(b, "dockhand_service_stop_waiting", "gauge",
                "1 while a requested stop of the service waits until it is safe (its stop signal not sent yet), else 0.");
        for (ServiceSnapshot svc : gated) {
            sample(b, "dockhand_service_stop_waiting", svc, null, svc.stopGate().waiting() ? 1 : 0);
        }
        family(b, "dockhand_service_stop_wait_seconds", "gauge", "How long the stop that waits now has waited, 0 when none waits.");
        for (ServiceSnapshot svc : gated) {
            sample(b, "dockhand_service_stop_wait_seconds", svc, null, svc.stopGate().waitedMs() / 1000.0);
        }
        family(b, "dockhand_service_stop_waits_total", "counter", "Stops of the service that had to wait until it was safe.");
        for (ServiceSnapshot svc : gated) {
            sample(b, "dockhand_service_stop_waits_total", svc, null, svc.stopGate().waits());
        }
        family(b, "dockhand_service_stop_unsafe_total", "counter",
                "Stops of the service that went ahead while not safe (the wait ran out, or the stop was repeated or forced).");
        for (ServiceSnapshot svc : gated) {
            sample(b, "dockhand_service_stop_unsafe_total", svc, null, svc.stopGate().unsafe());
        }
        family(b, "dockhand_agent_resident_memory_bytes", "gauge", "Resident memory of the agent process itself.");
        b.append("dockhand_agent_resident_memory_bytes ").append(number(s.rssBytes())).append('\n');
        family(b, "dockhand_agent_uptime_seconds", "gauge", "Time since the agent started.");
        b.append("dockhand_agent_uptime_seconds ").append(number(s.uptimeMs() / 1000.0)).append('\n');
        family(b, "dockhand_agent_ready", "gauge", "1 when every service of the node is ready, else 0.");
        b.append("dockhand_agent_ready ").append(s.ready() ? "1" : "0").append('\n');
        family(b, "dockhand_agent_illegal_transitions_total", "counter",
                "State changes the supervisor's transition table does not have: a bug of the agent, each refused and logged.");
        b.append("dockhand_agent_illegal_transitions_total ").append(s.illegalTransitions()).append('\n');
        if (s.security() != null) {
            family(b, "dockhand_agent_secured", "gauge", "1 when the node's listeners are secured (TLS, logins), 0 when plaintext.");
            b.append("dockhand_agent_secured ").append("tls".equals(s.security()) ? "1" : "0").append('\n');
        }
        List<AgentSnapshot.CertificateSnapshot> certs = s.certificates() == null ? List.of() : s.certificates();
        long now = System.currentTimeMillis();
        if (certs.stream().anyMatch(c -> !c.isCa())) {
            family(b, "dockhand_certificate_expiry_seconds", "gauge",
                    "Seconds until the certificate expires (the agent renews it at two thirds of its life).");
            for (AgentSnapshot.CertificateSnapshot c : certs) {
                if (!c.isCa()) {
                    b.append("dockhand_certificate_expiry_seconds{use=\"").append(escapeLabel(c.use())).append("\"} ")
                            .append(number(Math.round((c.notAfterMs() - now) / 1000.0))).append('\n');
                }
            }
        }
        if (certs.stream().anyMatch(AgentSnapshot.CertificateSnapshot::isCa)) {
            family(b, "dockhand_ca_expiry_seconds", "gauge",
                    "Seconds until a CA the node trusts (AGENT_CA_CERT_FILE) expires; nothing renews a CA: alert well before "
                            + "(the agent warns 30 days before) and rotate it (docs/security.md).");
            for (AgentSnapshot.CertificateSnapshot c : certs) {
                if (c.isCa()) {
                    b.append("dockhand_ca_expiry_seconds{subject=\"").append(escapeLabel(c.subject())).append("\",serial=\"")
                            .append(escapeLabel(c.serial())).append("\"} ").append(number(Math.round((c.notAfterMs() - now) / 1000.0)))
                            .append('\n');
                }
            }
        }
        return b.toString();
    }

    private static void family(StringBuilder b, String name, String type, String help) {
        b.append("# HELP ").append(name).append(' ').append(escapeHelp(help)).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder b, String name, ServiceSnapshot svc, String state, double value) {
        b.append(name).append("{service=\"").append(escapeLabel(svc.id())).append('"');
        if (state != null) {
            b.append(",state=\"").append(escapeLabel(state)).append('"');
        }
        b.append("} ").append(number(value)).append('\n');
    }

    /** Integers without a fraction, others in Java's shortest round-trip form (valid Go ParseFloat input). */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    static String escapeLabel(String v) {
        if (v == null) {
            return "";
        }
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    static String escapeHelp(String v) {
        return v.replace("\\", "\\\\").replace("\n", "\\n");
    }
}
