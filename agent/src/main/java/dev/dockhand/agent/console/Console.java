package dev.dockhand.agent.console;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/** One running console: its sources, its overview cache and its HTTP server. */
final class Console implements AutoCloseable {
    private final ExecutorService collectors;
    private final Sources.KafkaSource kafka;
    private final OverviewCache overviews;
    private final ConsoleServer server;

    private Console(ConsoleConfig config, ExecutorService collectors, Sources.KafkaSource kafka,
            Sources.ZooKeeperSource zk, Sources.RegistrySource registry, Sources.AgentSource agents,
            Sources.BrokerMetricsSource brokerMetrics) throws IOException {
        this.collectors = collectors;
        this.kafka = kafka;
        OverviewCollector collector = new OverviewCollector(config, kafka, zk, registry, agents, brokerMetrics, collectors,
                Clock.systemUTC());
        this.overviews = new OverviewCache(collector::collect, System::nanoTime, config.cacheTtl());
        this.server = new ConsoleServer(new InetSocketAddress(config.listenHost(), config.listenPort()), overviews,
                new Page(config.refreshSeconds()), config.https() ? TlsFiles.server(config.listenTls(), config.source()) : null,
                config.loginUsers() == null ? null : Logins.read(config.loginUsers(), System::nanoTime));
    }

    /**
     * The real console: AdminClient, srvr, the registry's HTTP API and the agents' /status, over TLS
     * where the config says so.
     *
     * @throws dev.dockhand.agent.core.InvalidInputException when a file the config names is missing or bad
     */
    static Console start(ConsoleConfig config) throws IOException {
        SSLContext clientTls = config.clientTls() == null ? null : TlsFiles.client(config.clientTls(), config.source());
        // Every collection task ends by the deadline; a cached pool only grows with the cluster's size.
        ExecutorService collectors = Executors.newCachedThreadPool(daemon("console-collect"));
        Http client = new Http(config.requestTimeout(), collectors, clientTls);
        Console c = new Console(config, collectors,
                new KafkaAdminSource(config.bootstrapServers(), config.kafkaClient(), config.requestTimeout(), collectors),
                new ZooKeeperProbe(config.zookeeperTls() ? clientTls : null), new RegistryClient(config.registryUrls(), client, collectors),
                new AgentClient(client), new BrokerMetricsClient(client, config.brokerMetricsPort()));
        c.server.start();
        c.warmUp();
        return c;
    }

    /**
     * One collection right after the start, in the background: the first one pays for the Kafka
     * client's creation, its first connections and the classes every source loads (about 2 s on a
     * loaded 2-core machine), and the first page someone opens should not. A request that comes
     * while it runs shares it (the cache's in-flight collection); {@code /readyz}, the agent's
     * probe, answers 200 once it is done.
     */
    private void warmUp() {
        collectors.submit(() -> {
            try {
                overviews.get();
            } catch (RuntimeException e) {
                // every source reports its own failures in the overview: this is a bug, and the
                // console stays unready (the agent restarts it after its startup timeout)
                System.err.println("console: the first overview failed: " + e);
            }
        });
    }

    /* test */ static Console start(ConsoleConfig config, Sources.KafkaSource kafka, Sources.ZooKeeperSource zk,
            Sources.RegistrySource registry, Sources.AgentSource agents) throws IOException {
        Console c = new Console(config, Executors.newCachedThreadPool(daemon("console-collect")), kafka, zk, registry, agents,
                (broker, deadline) -> null);
        c.server.start();
        c.warmUp();
        return c;
    }

    int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
        kafka.close();
        collectors.shutdownNow();
    }

    static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
