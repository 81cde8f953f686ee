package dev.dockhand.agent.console;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** One running console: its sources, its overview cache and its HTTP server. */
final class Console implements AutoCloseable {
    private final ExecutorService collectors;
    private final Sources.KafkaSource kafka;
    private final ConsoleServer server;

    private Console(ConsoleConfig config, ExecutorService collectors, Sources.KafkaSource kafka,
            Sources.ZooKeeperSource zk, Sources.RegistrySource registry, Sources.AgentSource agents) throws IOException {
        this.collectors = collectors;
        this.kafka = kafka;
        OverviewCollector collector = new OverviewCollector(config, kafka, zk, registry, agents, collectors, Clock.systemUTC());
        OverviewCache cache = new OverviewCache(collector::collect, System::nanoTime, config.cacheTtl());
        this.server = new ConsoleServer(new InetSocketAddress(config.listenHost(), config.listenPort()), cache,
                new Page(config.refreshSeconds()));
    }

    /** The real console: AdminClient, srvr, the registry's HTTP API and the agents' /status. */
    static Console start(ConsoleConfig config) throws IOException {
        // Every collection task ends by the deadline; a cached pool only grows with the cluster's size.
        ExecutorService collectors = Executors.newCachedThreadPool(daemon("console-collect"));
        Http client = new Http(config.requestTimeout(), collectors);
        Console c = new Console(config, collectors,
                new KafkaAdminSource(config.bootstrapServers(), config.requestTimeout(), collectors),
                new ZooKeeperProbe(), new RegistryClient(config.registryUrls(), client, collectors), new AgentClient(client));
        c.server.start();
        return c;
    }

    /* test */ static Console start(ConsoleConfig config, Sources.KafkaSource kafka, Sources.ZooKeeperSource zk,
            Sources.RegistrySource registry, Sources.AgentSource agents) throws IOException {
        Console c = new Console(config, Executors.newCachedThreadPool(daemon("console-collect")), kafka, zk, registry, agents);
        c.server.start();
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
