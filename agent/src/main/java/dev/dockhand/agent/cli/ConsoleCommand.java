package dev.dockhand.agent.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code agent console --config FILE}: the web console of the gateway role (port 9021). The only
 * reference to the console package is the call in {@link #call()}: fields and signatures use JDK
 * types only, so building the command line for {@code agent run} never loads the console or
 * kafka-clients (checked by ConsoleIsolationTest).
 */
@Command(name = "console",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        description = {
            "Serve the read-only cluster console (Kafka, ZooKeeper, schema registry, every node's agent).",
            "Pages: / (HTML), /api/overview (JSON), /metrics (Prometheus), /livez."
        })
public final class ConsoleCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "console properties, rendered from templates/control-center/console.properties")
    Path config;

    /** A class of the Kafka client, which only agent-console.jar carries. */
    static final String KAFKA_CLIENT = "org.apache.kafka.clients.admin.Admin";

    @Override
    public Integer call() throws InterruptedException {
        try {
            Class.forName(KAFKA_CLIENT, false, ConsoleCommand.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new AgentException(ExitCode.INVALID_INPUT, "the console runs from agent-console.jar, which carries the Kafka"
                    + " client that agent.jar leaves out: java -cp <home>/agent-console.jar dev.dockhand.agent.cli.Main console"
                    + " --config FILE (in the image: agent console ...)");
        }
        try {
            return dev.dockhand.agent.console.ConsoleMain.run(config, spec.commandLine().getOut(), spec.commandLine().getErr());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw e;
        }
    }
}
