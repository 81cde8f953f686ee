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
        List<String> argv = new ArrayList<>(List.of("bash", home.resolve("libexec/with-client-config").toString()));
        argv.addAll(List.of(args));
        return Cmd.run(Duration.ofSeconds(20), argv, Map.of("AGENT_DATA_DIR", home.resolve("data").toString(), "AGENT_CONF_DIR", ""));
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
        assertEquals(List.of("--bootstrap-server", "b1:9092,b2:9092", "--command-config=/my.properties"),
                lines(run("--command-config", "tool.sh", "--command-config=/my.properties")));
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
}
