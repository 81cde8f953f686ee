package dev.dockhand.agent.catalog;

import java.util.List;
import java.util.Map;

/**
 * A service the image can run ({@code service add --svcid ... --port ...}) and how the agent runs it.
 *
 * @param command argv; tokens ({@code @@SERVICE_HEAP@@}, {@code @@CONF_DIR@@}, ...) are replaced at start
 * @param env environment of the service, on top of a minimal base (PATH, HOME, LANG); tokens replaced
 * @param templates config files rendered for this service
 * @param overridePrefix env prefix for config overrides (e.g. {@code KAFKA_CFG_}), applied to {@code overrideFile}
 * @param overrideFile the template target that overrides apply to (a .properties file), or null
 * @param dataDirs directories (relative to the data dir, or absolute) the service writes; created at start
 * @param metricsPort where the service's own Prometheus metrics answer ({@code /metrics}), 0 for none
 */
public record ServiceSpec(
        String id,
        String name,
        int port,
        List<String> command,
        Map<String, String> env,
        List<TemplateSpec> templates,
        String overridePrefix,
        String overrideFile,
        List<String> dataDirs,
        HealthSpec health,
        StopSpec stop,
        RestartSpec restart,
        MemorySpec memory,
        String user,
        LogSpec log,
        int metricsPort) {

    public ServiceSpec {
        command = List.copyOf(command);
        env = Map.copyOf(env);
        templates = List.copyOf(templates);
        dataDirs = List.copyOf(dataDirs);
    }

    /** A service without a metrics port of its own. */
    public ServiceSpec(String id, String name, int port, List<String> command, Map<String, String> env,
            List<TemplateSpec> templates, String overridePrefix, String overrideFile, List<String> dataDirs,
            HealthSpec health, StopSpec stop, RestartSpec restart, MemorySpec memory, String user, LogSpec log) {
        this(id, name, port, command, env, templates, overridePrefix, overrideFile, dataDirs, health, stop, restart,
                memory, user, log, 0);
    }
}
