package dev.dockhand.agent.catalog;

import java.util.List;
import java.util.Map;

/**
 * A service the image can run ({@code service add --svcid ... --port ...}) and how the agent runs it.
 *
 * @param command argv; tokens ({@code @@SERVICE_HEAP@@}, {@code @@CONF_DIR@@}, ...) are replaced at start
 * @param env environment of the service, on top of a minimal base (PATH, HOME, LANG); tokens replaced
 * @param templates config files rendered for this service
 * @param overrides how env overrides reach the service's config, or null for none
 * @param dataDirs directories (relative to the data dir, or absolute) the service writes; created at start
 */
public record ServiceSpec(
        String id,
        String name,
        int port,
        List<String> command,
        Map<String, String> env,
        List<TemplateSpec> templates,
        OverrideSpec overrides,
        List<String> dataDirs,
        HealthSpec health,
        StopSpec stop,
        RestartSpec restart,
        MemorySpec memory,
        String user,
        LogSpec log) {

    public ServiceSpec {
        command = List.copyOf(command);
        env = Map.copyOf(env);
        templates = List.copyOf(templates);
        dataDirs = List.copyOf(dataDirs);
    }
}
