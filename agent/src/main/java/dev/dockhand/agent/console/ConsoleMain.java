package dev.dockhand.agent.console;

import dev.dockhand.agent.log.AgentLog;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.slf4j.event.Level;

/**
 * The one entry point {@code agent console} calls. Its signature uses JDK types only, so that
 * {@code cli.ConsoleCommand} links without loading this package; nothing here runs in PID-1 mode.
 */
public final class ConsoleMain {
    private ConsoleMain() {}

    /**
     * Reads the config, serves the console until the JVM is asked to stop (SIGTERM/SIGINT).
     *
     * @return 1 when the console cannot listen; invalid config throws
     *     {@link dev.dockhand.agent.core.InvalidInputException} (exit 2)
     */
    public static int run(Path configFile, PrintWriter out, PrintWriter err) throws InterruptedException {
        ConsoleConfig config = ConsoleConfig.read(configFile);
        quietKafkaClientLogs();
        if (config.actionsEnabled()) {
            err.println("agent console: actions.enabled=true changes nothing: this console has no actions and stays read-only");
            err.flush();
        }
        Console console;
        try {
            console = Console.start(config);
        } catch (IOException e) {
            err.println("agent console: cannot listen on " + config.listenHost() + ":" + config.listenPort() + ": "
                    + e.getMessage() + " (set listen.host / listen.port in " + configFile + ")");
            err.flush();
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            console.close();
            stopped.countDown();
        }, "console-shutdown"));
        out.println("agent console: cluster " + config.clusterName() + " on " + config.url(console.port()) + " (bootstrap "
                + config.bootstrapServers() + (config.kafkaClient().containsKey("security.protocol")
                        ? " over " + config.kafkaClient().get("security.protocol") : "")
                + ", " + config.agents().size() + " agents, timeout " + config.requestTimeout().toMillis() + " ms, "
                + (config.loginUsers() == null ? "no login" : "login required") + ", read-only)");
        out.flush();
        stopped.await();
        return 0;
    }

    /**
     * kafka-clients logs its whole config at INFO and a warning per failed reconnect; the page
     * already shows a broker that is down. An operator who asks for debug (AGENT_LOG_LEVEL) gets it all.
     */
    private static void quietKafkaClientLogs() {
        AgentLog log = AgentLog.get();
        if (!log.getLogger("org.apache.kafka").isDebugEnabled()) {
            log.setLevel("org.apache.kafka", Level.WARN);
            log.setLevel("org.apache.kafka.clients.NetworkClient", Level.ERROR);
        }
    }
}
