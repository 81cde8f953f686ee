package dev.dockhand.agent.render;

import dev.dockhand.agent.catalog.ServiceSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything a render produced in memory, before anything is written.
 *
 * @param files the files to write, per service
 * @param services this node's services with commands and env resolved, in start order
 * @param explain every token's value and where it came from (secrets masked)
 */
public record RenderPlan(List<RenderedFile> files, List<ResolvedService> services, List<Explained> explain) {

    public RenderPlan {
        files = List.copyOf(files);
        services = List.copyOf(services);
        explain = List.copyOf(explain);
    }

    /**
     * @param service the service the file belongs to
     * @param target absolute path
     * @param template the template it came from (its mode is used for a new file)
     * @param content rendered text
     * @param secret it holds a secret: written 0600, never shown
     */
    public record RenderedFile(String service, Path target, Path template, String content, boolean secret) {}

    /**
     * @param spec catalog definition
     * @param argv command, tokens replaced
     * @param env complete environment of the service
     * @param dataDirs directories to create before the first start
     * @param logFile size-capped copy of the output, or null
     * @param heapMb heap given to the service
     */
    public record ResolvedService(ServiceSpec spec, List<String> argv, Map<String, String> env, List<Path> dataDirs,
            Path logFile, int heapMb) {}

    /**
     * @param scope "node" or a service id
     * @param token the macro, autogen pattern, override key or sizing figure
     * @param value its value (masked when secret)
     * @param source where the value came from
     */
    public record Explained(String scope, String token, String value, String source) {}
}
