package dev.dockhand.agent.render;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything a render produced in memory, before anything is written.
 *
 * @param files the files to write, per service
 * @param commands each service's command, environment and directories with every token replaced, in
 *     start order
 * @param explain every token's value and where it came from (secrets masked)
 */
public record RenderPlan(List<RenderedFile> files, List<ResolvedCommand> commands, List<Explained> explain) {

    public RenderPlan {
        files = List.copyOf(files);
        commands = List.copyOf(commands);
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
     * What starts a service, with every token replaced.
     *
     * @param serviceId the catalog's id
     * @param argv command
     * @param env complete environment of the service
     * @param workDir its working directory (the node's data dir)
     * @param dataDirs directories to create before the first start
     * @param logFile size-capped copy of the output, or null
     * @param logMaxBytes rotation size of {@code logFile}
     * @param heapMb heap given to the service
     * @param certRenewal the command that makes the running service use a renewed certificate, tokens
     *     replaced; empty: a restart does
     */
    public record ResolvedCommand(String serviceId, List<String> argv, Map<String, String> env, Path workDir, List<Path> dataDirs,
            Path logFile, long logMaxBytes, int heapMb, List<String> certRenewal) {
        public ResolvedCommand {
            argv = List.copyOf(argv);
            env = Map.copyOf(env);
            dataDirs = List.copyOf(dataDirs);
            certRenewal = List.copyOf(certRenewal);
        }

        public ResolvedCommand(String serviceId, List<String> argv, Map<String, String> env, Path workDir, List<Path> dataDirs,
                Path logFile, long logMaxBytes, int heapMb) {
            this(serviceId, argv, env, workDir, dataDirs, logFile, logMaxBytes, heapMb, List.of());
        }
    }

    /**
     * @param scope "node" or a service id
     * @param token the macro, autogen pattern, override key or sizing figure
     * @param value its value (masked when secret)
     * @param source where the value came from
     */
    public record Explained(String scope, String token, String value, String source) {}
}
