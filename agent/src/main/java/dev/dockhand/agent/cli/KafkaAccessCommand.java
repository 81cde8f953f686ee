package dev.dockhand.agent.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code agent kafka-access}: gives a secured cluster's users their SCRAM credentials and ACLs, a
 * one-shot step of every broker node (catalog service {@code kafka-access}). As for
 * {@link ConsoleCommand}, the access package (and kafka-clients) is named only in {@link #call()}.
 */
@Command(name = "kafka-access",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        description = {
            "Give the users of a secured cluster their Kafka logins (SCRAM-SHA-512), the ACLs of their role and scope and",
            "their quotas, and take them from users no longer in the file; the console's node gets its read-only rights.",
            "Idempotent; run by the agent on every broker node at start. Exit 0: applied; 1: the cluster did not take it",
            "(the agent tries again); 2: a wrong input."
        })
public final class KafkaAccessCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--client-config", required = true, paramLabel = "FILE",
            description = "Kafka client config reaching the brokers as a super user (the node's client.properties)")
    Path clientConfig;

    @Option(names = "--users-file", required = true, paramLabel = "FILE",
            description = "the cluster's users file (AGENT_USERS_FILE): NAME:PASSWORD[:admin|client] per line")
    Path usersFile;

    @Option(names = "--console-nodes", paramLabel = "FQDN,...", defaultValue = "",
            description = "the nodes that run the console and are no super users: their certificates get the console's read-only rights")
    String consoleNodes;

    @Option(names = "--registry-nodes", paramLabel = "FQDN,...", defaultValue = "",
            description = "the nodes that run the registry and are no super users: their certificates get no Kafka right")
    String registryNodes;

    @Option(names = "--connect-nodes", paramLabel = "FQDN,...", defaultValue = "",
            description = "the nodes that run the Connect worker and are no super users: their certificates get the worker's rights"
                    + " (its group and internal topics of prefix dockhand-connect, the connectors' topics and groups of prefix connect-)")
    String connectNodes;

    @Option(names = "--applied-record", paramLabel = "FILE",
            description = "where the names of the users applied at the last success are kept (a user in it and no longer in the"
                    + " users file loses its login and rights; a user never applied is left alone)")
    Path appliedRecord;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
            description = "how long to wait for the cluster (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Override
    public Integer call() throws InterruptedException {
        try {
            Class.forName(ConsoleCommand.KAFKA_CLIENT, false, KafkaAccessCommand.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new AgentException(ExitCode.INVALID_INPUT, "kafka-access runs from agent-console.jar, which carries the Kafka"
                    + " client that agent.jar leaves out: java -cp <home>/agent-console.jar dev.dockhand.agent.cli.Main kafka-access ...");
        }
        if (timeoutSeconds < 1) {
            throw new AgentException(ExitCode.INVALID_INPUT, "--timeout must be at least 1 second");
        }
        return dev.dockhand.agent.access.KafkaAccess.run(clientConfig, usersFile, fqdns("--console-nodes", consoleNodes),
                fqdns("--registry-nodes", registryNodes), fqdns("--connect-nodes", connectNodes), appliedRecord, Duration.ofSeconds(timeoutSeconds),
                spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /** The FQDNs of a comma-separated list (empty: none); a name that is not one is a wrong input. */
    static java.util.List<String> fqdns(String option, String list) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (String f : list.split(",")) {
            if (f.isEmpty()) {
                continue;
            }
            if (!f.matches("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})")) {
                throw new AgentException(ExitCode.INVALID_INPUT, option + ": '" + dev.dockhand.agent.core.Names.printable(f)
                        + "' is not a node's FQDN (letters, digits, '.', '-')");
            }
            out.add(f);
        }
        return out;
    }
}
