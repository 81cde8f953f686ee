package dev.dockhand.agent.cli;

import dev.dockhand.agent.plan.NodePlan;
import dev.dockhand.agent.plan.Planner;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine;

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
        NodePlan plan = node.plan(env, ControlOptions.httpPort(null, env));
        Planner.checkRunnable(plan);
        PrintWriter out = spec.commandLine().getOut();
        NodePlan.NodeInfo n = plan.node();
        out.printf("ok: %s is node %d, role %s, cluster config %s, cluster %s%n", n.fqdn(), n.nodeId(), n.role(),
                n.clusterConfig(), n.clusterName());
        out.printf("services: %s%n", String.join(", ", plan.services().stream().map(NodePlan.PlannedService::id).toList()));
        out.printf("files: %d would be rendered from %s%n", plan.files().size(), plan.catalogPath());
        if (plan.certificates() != null) {
            for (String soon : plan.certificates().trust().expiryWarnings(Instant.now())) {
                out.printf("warning: %s%n", soon);
            }
        }
        out.flush();
        return ExitCode.OK.code;
    }
}
