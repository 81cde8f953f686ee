package dev.dockhand.agent.cli;

import dev.dockhand.agent.core.Problems;
import dev.dockhand.agent.render.Commands;
import dev.dockhand.agent.render.RenderPlan;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code agent check}: validates catalog, identity, sizing and templates together; writes nothing. */
@Command(name = "check", description = {
    "Validate the catalog and this node's identity together (and that every template renders).",
    "Prints every problem at once, each naming its source. Writes nothing."})
public final class CheckCommand implements Callable<Integer> {
    @Mixin
    NodeOptions node = new NodeOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Map<String, String> env;

    public CheckCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        NodeSetup setup = NodeSetup.resolve(node, env);
        RenderPlan plan = setup.plan();
        Problems problems = new Problems();
        Commands.check(plan, problems);
        problems.throwIfAny();
        PrintWriter out = spec.commandLine().getOut();
        out.printf("ok: %s is node %d, role %s, cluster config %s, cluster %s%n", setup.identity.self().value(),
                setup.context.nodeId(), setup.identity.role().value(), setup.identity.clusterConfig().value(),
                setup.identity.clusterName().value());
        out.printf("services: %s%n", String.join(", ", plan.services().stream().map(s -> s.spec().id()).toList()));
        out.printf("files: %d would be rendered from %s%n", plan.files().size(), setup.catalogPath);
        out.flush();
        return ExitCode.OK.code;
    }
}
