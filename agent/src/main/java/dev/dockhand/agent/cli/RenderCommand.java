package dev.dockhand.agent.cli;

import dev.dockhand.agent.plan.NodePlan;
import dev.dockhand.agent.render.FileWriter;
import dev.dockhand.agent.render.RenderPlan;
import dev.dockhand.agent.render.Secrets;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code agent render}: writes the files this node needs. */
@Command(name = "render", description = {
    "Render the config files of this node's services (only those its role runs under the active cluster config).",
    "Writes atomically; on any problem nothing is written."})
public final class RenderCommand implements Callable<Integer> {
    @Mixin
    NodeOptions node = new NodeOptions();

    @Option(names = "--dry-run", description = "render in memory and show what would change; write nothing")
    boolean dryRun;

    @Option(names = "--explain", description = "print every token with its value and where the value came from")
    boolean explain;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Map<String, String> env;

    public RenderCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        NodePlan plan = node.plan(env, ControlOptions.httpPort(null, env));
        PrintWriter out = spec.commandLine().getOut();
        if (explain) {
            explain(out, plan);
        }
        if (dryRun) {
            for (var f : plan.files()) {
                boolean same;
                try {
                    same = Files.isRegularFile(f.target()) && Files.readString(f.target(), StandardCharsets.UTF_8).equals(f.content());
                } catch (java.io.IOException e) {
                    same = false;
                }
                out.printf("would %s %s (%s)%n", same ? "keep" : "write", f.target(), f.service());
            }
        } else {
            for (FileWriter.Written w : FileWriter.write(plan.files())) {
                out.printf("%s %s (%s)%n", w.changed() ? "wrote" : "unchanged", w.path(), w.service());
            }
        }
        out.flush();
        return ExitCode.OK.code;
    }

    private static void explain(PrintWriter out, NodePlan plan) {
        out.println("identity:");
        var id = plan.identity();
        out.printf("  %-16s %-40s %s%n", "role", id.role().value(), id.role().source());
        out.printf("  %-16s %-40s %s%n", "cluster config", id.clusterConfig().value(), id.clusterConfig().source());
        out.printf("  %-16s %-40s %s%n", "cluster name", id.clusterName().value(), id.clusterName().source());
        out.printf("  %-16s %-40s %s%n", "fqdn", id.self().value(), id.self().source());
        out.printf("  %-16s %-40s %s%n", "nodes", id.nodes().value().size() + " node(s)", id.nodes().source());
        if (!plan.sizing().isEmpty()) {
            out.println("sizing:");
            plan.sizing().forEach(l -> out.println("  " + l));
        }
        out.println("tokens:");
        for (RenderPlan.Explained e : plan.explain()) {
            // a secret inside any value (a URL's user:password@, a password= in a JDBC URL) whatever the token's name
            String value = dev.dockhand.agent.core.SecretText.redact(e.value()).replace("\n", "\\n");
            out.printf("  %-16s %-34s = %-40s (%s)%n", e.scope(), e.token(), value, e.source());
        }
        out.println("commands:");
        for (NodePlan.PlannedService s : plan.services()) {
            out.printf("  %-16s %s%n", s.id(), String.join(" ", Secrets.maskArgs(s.command().argv())));
        }
    }
}
