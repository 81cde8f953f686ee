package dev.dockhand.it.toolbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.it.lab.Cmd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The thin wrappers' shared script ({@code image/dist/libexec/with-client-config}) with a stand-in tool
 * that prints the arguments it got, one per line: what is added, where, and when nothing is.
 */
class ClientWrapperTest {
    static final Path SCRIPT = Path.of(System.getProperty("dockhand.repo.root", "..")).toAbsolutePath().normalize()
            .resolve("image/dist/libexec/with-client-config");

    @TempDir
    Path home;
    Path conf;

    @BeforeEach
    void distributionWithAStandInTool() throws IOException {
        Files.createDirectories(home.resolve("libexec"));
        Files.copy(SCRIPT, home.resolve("libexec/with-client-config"));
        Files.createDirectories(home.resolve("bin"));
        Path tool = home.resolve("bin/tool.sh");
        Files.writeString(tool, "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\"\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
        conf = Files.createDirectories(home.resolve("data/conf"));
        Files.writeString(conf.resolve("client.properties"), "# comment\nbootstrap.servers = b1:9092,b2:9092\nclient.id=x\n");
        Files.writeString(conf.resolve("zookeeper-client.properties"), "zookeeper.connect=zk1:2181,zk2:2181\n");
    }

    Cmd.Result run(String... args) {
        return run(Map.of(), args);
    }

    Cmd.Result run(Map<String, String> env, String... args) {
        List<String> argv = new ArrayList<>(List.of("bash", home.resolve("libexec/with-client-config").toString()));
        argv.addAll(List.of(args));
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("AGENT_DATA_DIR", home.resolve("data").toString());
        all.put("AGENT_CONF_DIR", "");
        return Cmd.run(Duration.ofSeconds(20), argv, all);
    }

    static List<String> lines(Cmd.Result r) {
        return r.out().lines().toList();
    }

    @Test
    void addsTheBrokersAndTheConfigBeforeTheCallersArguments() {
        Cmd.Result r = run("--command-config", "tool.sh", "--list");
        assertEquals(0, r.exit(), r.out());
        assertEquals(List.of("--bootstrap-server", "b1:9092,b2:9092", "--command-config", conf.resolve("client.properties").toString(),
                "--list"), lines(r));
    }

    @Test
    void keepsWhatTheCallerGaveInEitherSpelling() {
        assertEquals(List.of("--command-config", conf.resolve("client.properties").toString(), "--bootstrap-server", "other:9092", "--list"),
                lines(run("--command-config", "tool.sh", "--bootstrap-server", "other:9092", "--list")));
        Path mine = home.resolve("my.properties");
        try {
            Files.writeString(mine, "client.id=mine\n");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertEquals(List.of("--bootstrap-server", "b1:9092,b2:9092", "--command-config=" + mine),
                lines(run("--command-config", "tool.sh", "--command-config=" + mine)));
        // a file the caller names that is not there is said so by the wrapper, not by a tool's stack trace
        Cmd.Result missing = run("--command-config", "tool.sh", "--command-config=/my.properties");
        assertEquals(2, missing.exit(), missing.out());
        assertEquals("tool: --command-config /my.properties does not exist\n", missing.out());
    }

    @Test
    void subcommandToolsGetTheOptionsAfterAndConfigOnlyToolsNoBrokers() {
        assertEquals(List.of("cluster-id", "--bootstrap-server", "b1:9092,b2:9092", "--config", conf.resolve("client.properties").toString()),
                lines(run("--after", "--config", "tool.sh", "cluster-id")));
        assertEquals(List.of("--producer.config", conf.resolve("client.properties").toString(), "--topic", "t"),
                lines(run("--config-only", "--producer.config", "tool.sh", "--topic", "t")));
    }

    @Test
    void helpAndVersionGetNothingAdded() {
        assertEquals(List.of("--help"), lines(run("--command-config", "tool.sh", "--help")));
        assertEquals(List.of("--topic", "t", "--version"), lines(run("--command-config", "tool.sh", "--topic", "t", "--version")));
    }

    @Test
    void zookeeperShellGetsTheEnsembleUnlessGivenOne() {
        assertEquals(List.of("zk1:2181,zk2:2181", "ls", "/"), lines(run("--zookeeper", "tool.sh", "ls", "/")));
        assertEquals(List.of("zk9:2181/chroot", "ls", "/"), lines(run("--zookeeper", "tool.sh", "zk9:2181/chroot", "ls", "/")));
    }

    @Test
    void aValueInTheConfigIsPassedAsOneArgumentNeverRunAsShell() throws IOException {
        Path marker = home.resolve("ran");
        Files.writeString(conf.resolve("client.properties"), "bootstrap.servers=$(touch " + marker + ") `touch " + marker + "`;b:9092\n");
        assertEquals(List.of("--bootstrap-server", "$(touch " + marker + ") `touch " + marker + "`;b:9092", "--command-config",
                conf.resolve("client.properties").toString(), "--list"), lines(run("--command-config", "tool.sh", "--list")));
        assertTrue(Files.notExists(marker), "a value of the config file was run");
    }

    @Test
    void withoutTheNodesFilesItSaysWhatIsMissingAndExitsTwo() throws IOException {
        Files.delete(conf.resolve("client.properties"));
        Files.delete(conf.resolve("zookeeper-client.properties"));
        Cmd.Result r = run("--command-config", "kafka-topics.sh", "--list");
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.out().startsWith("kafka-topics: no bootstrap.servers in " + conf.resolve("client.properties")), r.out());
        assertEquals(List.of("--bootstrap-server", "b:9092", "--list"), lines(run("--command-config", "tool.sh", "--bootstrap-server", "b:9092", "--list")),
                "with the brokers given, the missing config is left out");
        Cmd.Result zk = run("--zookeeper", "zookeeper-shell.sh", "ls", "/");
        assertEquals(2, zk.exit(), zk.out());
        assertTrue(zk.out().contains("no ZooKeeper connect string in " + conf.resolve("zookeeper-client.properties")), zk.out());
        Cmd.Result perf = run("--config-only", "--producer.config", "kafka-producer-perf-test.sh", "--topic", "t");
        assertEquals(2, perf.exit(), perf.out());
        assertTrue(perf.out().contains("no client config at " + conf.resolve("client.properties")), perf.out());
    }

    // ------------------------------------------------------------------ file inputs that are not files

    static Path fifo(Path p) throws IOException {
        Files.deleteIfExists(p);
        Cmd.Result r = Cmd.run(Duration.ofSeconds(10), "mkfifo", p.toString());
        assertEquals(0, r.exit(), r.out());
        return p;
    }

    /** Refused at once (a FIFO is never opened: the run would hang), one line naming the file and why, exit 2. */
    static void refused(Cmd.Result r, String expected) {
        assertEquals(2, r.exit(), r.out());
        assertEquals(1, r.out().lines().count(), r.out());
        assertTrue(r.out().contains(expected), "expected '" + expected + "' in: " + r.out());
        assertTrue(r.out().chars().noneMatch(c -> c < 0x20 && c != '\n' || c == 0x7f || c >= 0x80 && c < 0xa0), "a raw control: " + r.out());
        assertTrue(!r.out().contains("sed:") && !r.out().contains("grep:"), r.out());
    }

    @Test
    void aFifoOrADirectoryAsTheNodesClientConfigIsRefusedWithoutOpeningIt() throws IOException {
        Path client = conf.resolve("client.properties");
        fifo(client);
        refused(run("--command-config", "kafka-topics.sh", "--list"), "kafka-topics: the client config " + client + " is a FIFO, socket or device");
        refused(run("--config-only", "--producer.config", "kafka-producer-perf-test.sh", "--topic", "t"), "is a FIFO, socket or device");
        Files.delete(client);
        Files.createDirectory(client);
        refused(run("--command-config", "kafka-topics.sh", "--list"), "kafka-topics: the client config " + client + " is a directory, not a file");
        Path zk = conf.resolve("zookeeper-client.properties");
        fifo(zk);
        refused(run("--zookeeper", "zookeeper-shell.sh", "ls", "/"), "zookeeper-shell: the node's ZooKeeper client config " + zk + " is a FIFO");
    }

    @Test
    void aFifoADirectoryOrAHugeFileGivenByTheCallerOrInDockhandClientConfigIsRefused() throws IOException {
        Path pipe = fifo(home.resolve("pipe"));
        refused(run("--command-config", "kafka-topics.sh", "--command-config", pipe.toString(), "--list"),
                "kafka-topics: --command-config " + pipe + " is a FIFO, socket or device");
        refused(run("--command-config", "kafka-topics.sh", "--command-config=" + home, "--list"), "--command-config " + home + " is a directory");
        refused(run(Map.of("DOCKHAND_CLIENT_CONFIG", pipe.toString()), "--command-config", "kafka-topics.sh", "--list"),
                "the client config (DOCKHAND_CLIENT_CONFIG) " + pipe + " is a FIFO");
        refused(run(Map.of("DOCKHAND_CLIENT_CONFIG", home.resolve("none").toString()), "--command-config", "kafka-topics.sh", "--list"),
                "the client config (DOCKHAND_CLIENT_CONFIG) " + home.resolve("none") + " does not exist");
        refused(run("--zookeeper", "zookeeper-shell.sh", "-zk-tls-config-file", pipe.toString(), "ls", "/"), "-zk-tls-config-file " + pipe + " is a FIFO");
        Path huge = home.resolve("huge.properties");
        Files.write(huge, new byte[2 << 20]);
        refused(run("--command-config", "kafka-topics.sh", "--command-config", huge.toString()), "is 2097152 bytes; a config file is at most 1048576");
        Path dir = Files.createDirectory(home.resolve("d\u001b[2J\r"));
        refused(run(Map.of("DOCKHAND_CLIENT_CONFIG", dir.toString()), "--command-config", "kafka-topics.sh", "--list"), "is a directory");
    }

    @Test
    void aFifoAsTheNodesKafkaLibFileIsRefusedByEveryTool() throws IOException {
        Path runClass = home.resolve("bin/kafka-run-class.sh");
        Files.copy(SCRIPT.getParent().getParent().resolve("bin/kafka-run-class.sh"), runClass);
        fifo(conf.resolve("kafka-lib"));
        Cmd.Result r = Cmd.run(Duration.ofSeconds(20), List.of("bash", runClass.toString(), "org.example.Tool"),
                Map.of("AGENT_DATA_DIR", home.resolve("data").toString(), "AGENT_CONF_DIR", ""));
        refused(r, "kafka-run-class.sh: " + conf.resolve("kafka-lib") + " is not a readable regular file of at most 4096 bytes");
    }
}
