package dev.dockhand.it.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A private network for test nodes on this machine: one bridge, one network namespace per node joined
 * to it by a veth pair, each with a per-node {@code /etc/netns/NAME/hosts} listing every node's FQDN.
 * Everything it makes carries a prefix ({@code dhbr0}, {@code dh-*}, {@code dhv-*}, firewall rules
 * commented {@value #FW_COMMENT}) so that cleanup touches nothing else; a host-wide lock file keeps two
 * test runs (two worktrees) from sharing or removing each other's network.
 */
public final class LabNet implements AutoCloseable {
    public static final String BRIDGE = "dhbr0";
    public static final String NS_PREFIX = "dh-";
    public static final String VETH_PREFIX = "dhv-";
    public static final String SUBNET = "10.231.0.";
    public static final String HOST_IP = SUBNET + "1";
    public static final String DOMAIN = "dockhand.test";
    public static final String FW_COMMENT = "dockhand-it-netns";
    static final Path LOCK = Path.of("/run/dockhand-it-netns.lock");
    /** Minutes to wait for another run's cluster test to finish (default 15): several worktrees on one machine queue up. */
    static final String LOCK_WAIT_PROPERTY = "it.netns.lock.minutes";
    static final Path ETC_NETNS = Path.of("/etc/netns");

    private final Map<String, String> addresses = new LinkedHashMap<>(); // name -> ip
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Path jvmHostsFile;

    /** Why this machine cannot run the netns tests, or null when it can. */
    public static String unsupportedReason() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "network namespaces need root (running as " + System.getProperty("user.name") + ")";
        }
        for (String tool : List.of("ip", "unshare")) {
            if (!Cmd.onPath(tool)) {
                return "'" + tool + "' is not on PATH (apt-get install iproute2 util-linux)";
            }
        }
        if (!Cmd.run(Duration.ofSeconds(10), "ip", "netns", "list").ok()) {
            return "'ip netns' does not work here";
        }
        return null;
    }

    /**
     * Takes the host-wide lock (bounded wait), removes what a crashed run left, and builds the network for
     * {@code names} (node names, short: e.g. {@code zk-1}); node i gets {@code 10.231.0.(i+2)} and FQDN
     * {@code name.dockhand.test}. The test JVM resolves them through {@code jvmHostsFile} (the file
     * {@code -Djdk.net.hosts.file} names), which must be written before the JVM's first lookup.
     */
    public static LabNet create(List<String> names, Path jvmHostsFile) {
        return new LabNet(names, jvmHostsFile);
    }

    private LabNet(List<String> names, Path jvmHostsFile) {
        this.jvmHostsFile = jvmHostsFile;
        if (names.size() > 200) {
            throw new IllegalArgumentException("at most 200 nodes");
        }
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            if (!n.matches("[a-z0-9][a-z0-9-]{0,9}")) {
                throw new IllegalArgumentException("node name '" + n + "': lower-case letters, digits and '-', at most 10 characters");
            }
            addresses.put(n, SUBNET + (i + 2));
        }
        try {
            lockChannel = FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = Timing.awaitValue("the netns lock " + LOCK + " (another dockhand netns test is running; -D" + LOCK_WAIT_PROPERTY + " waits longer)",
                    Duration.ofMinutes(Long.getLong(LOCK_WAIT_PROPERTY, 15)),
                    Duration.ofMillis(500), () -> {
                        try {
                            return lockChannel.tryLock();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }, () -> "");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + LOCK, e);
        }
        try {
            removeLeftovers();
            build();
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    public List<String> names() {
        return List.copyOf(addresses.keySet());
    }

    public String ip(String name) {
        return require(name);
    }

    public static String netns(String name) {
        return NS_PREFIX + name;
    }

    public static String fqdn(String name) {
        return name + "." + DOMAIN;
    }

    private String require(String name) {
        String ip = addresses.get(name);
        if (ip == null) {
            throw new IllegalArgumentException("no node '" + name + "' in " + addresses.keySet());
        }
        return ip;
    }

    /** Argv prefix that runs a command inside {@code name}'s network namespace. */
    public List<String> exec(String name, String... argv) {
        require(name);
        List<String> out = new ArrayList<>(List.of("ip", "netns", "exec", netns(name)));
        out.addAll(List.of(argv));
        return out;
    }

    private static Cmd.Result ip(String... args) {
        List<String> argv = new ArrayList<>(List.of("ip"));
        argv.addAll(List.of(args));
        return Cmd.run(Duration.ofSeconds(20), argv);
    }

    private void build() {
        String hosts = hostsFile();
        try {
            Files.createDirectories(jvmHostsFile.getParent());
            Files.writeString(jvmHostsFile, hosts, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + jvmHostsFile, e);
        }
        ip("link", "add", BRIDGE, "type", "bridge").check();
        ip("addr", "add", HOST_IP + "/24", "dev", BRIDGE).check();
        ip("link", "set", BRIDGE, "up").check();
        allowBridgedTraffic();
        for (Map.Entry<String, String> e : addresses.entrySet()) {
            String name = e.getKey();
            String ns = netns(name);
            String host = VETH_PREFIX + name;
            String peer = "dhp-" + name; // renamed to eth0 once inside the namespace
            ip("netns", "add", ns).check();
            ip("link", "add", host, "type", "veth", "peer", "name", peer).check();
            ip("link", "set", host, "master", BRIDGE).check();
            ip("link", "set", host, "up").check();
            ip("link", "set", peer, "netns", ns).check();
            ip("-n", ns, "link", "set", peer, "name", "eth0").check();
            ip("-n", ns, "addr", "add", e.getValue() + "/24", "dev", "eth0").check();
            ip("-n", ns, "link", "set", "eth0", "up").check();
            ip("-n", ns, "link", "set", "lo", "up").check();
            Path etc = ETC_NETNS.resolve(ns);
            try {
                Files.createDirectories(etc);
                Files.writeString(etc.resolve("hosts"), hosts, StandardCharsets.UTF_8);
                Files.writeString(etc.resolve("hostname"), fqdn(name) + "\n", StandardCharsets.UTF_8);
            } catch (IOException ex) {
                throw new UncheckedIOException("cannot write " + etc, ex);
            }
        }
    }

    private String hostsFile() {
        StringBuilder sb = new StringBuilder("127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n");
        sb.append(HOST_IP).append(' ').append("host.").append(DOMAIN).append('\n');
        addresses.forEach((n, a) -> sb.append(a).append(' ').append(fqdn(n)).append(' ').append(n).append('\n'));
        return sb.toString();
    }

    /**
     * With br_netfilter loaded and bridge-nf-call-iptables=1 (Docker's doing), frames between two ports of a
     * bridge go through the FORWARD chain, whose policy Docker sets to DROP: the nodes would reach the host but
     * not each other. One ACCEPT rule for this bridge only, commented so that cleanup finds it.
     */
    private void allowBridgedTraffic() {
        Path knob = Path.of("/proc/sys/net/bridge/bridge-nf-call-iptables");
        boolean filtered;
        try {
            filtered = Files.exists(knob) && Files.readString(knob).strip().equals("1");
        } catch (IOException e) {
            filtered = true;
        }
        if (filtered && Cmd.onPath("iptables")) {
            Cmd.run(Duration.ofSeconds(20), "iptables", "-I", "FORWARD", "1", "-i", BRIDGE, "-o", BRIDGE,
                    "-m", "comment", "--comment", FW_COMMENT, "-j", "ACCEPT").check();
        }
    }

    /** Removes every namespace, link, /etc/netns dir and firewall rule with this harness's prefixes, and kills what runs in them. */
    static void removeLeftovers() {
        for (String line : ip("netns", "list").out().split("\n")) {
            String ns = line.strip().split("\\s+")[0];
            if (ns.startsWith(NS_PREFIX)) {
                killNamespace(ns);
                ip("netns", "delete", ns);
            }
        }
        for (String line : ip("-o", "link", "show").out().split("\n")) {
            String[] parts = line.split(":\\s+");
            if (parts.length > 1) {
                String dev = parts[1].split("@")[0].strip();
                if (dev.startsWith(VETH_PREFIX) || dev.startsWith("dhp-") || dev.equals(BRIDGE)) {
                    ip("link", "delete", dev);
                }
            }
        }
        if (Files.isDirectory(ETC_NETNS)) {
            try (Stream<Path> dirs = Files.list(ETC_NETNS)) {
                for (Path d : dirs.filter(p -> p.getFileName().toString().startsWith(NS_PREFIX)).toList()) {
                    deleteTree(d);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try (Stream<Path> rest = Files.list(ETC_NETNS)) {
                if (rest.findAny().isEmpty()) {
                    Files.delete(ETC_NETNS); // made for us (it did not exist before), empty now
                }
            } catch (IOException e) {
                // someone else's: leave it
            }
        }
        if (Cmd.onPath("iptables")) {
            // delete our rule as often as it is there (bounded: a rule per crashed run at most)
            for (int i = 0; i < 50; i++) {
                if (!Cmd.run(Duration.ofSeconds(20), "iptables", "-D", "FORWARD", "-i", BRIDGE, "-o", BRIDGE,
                        "-m", "comment", "--comment", FW_COMMENT, "-j", "ACCEPT").ok()) {
                    break;
                }
            }
        }
    }

    /** Pids of every process in {@code name}'s network namespace (all of them ours). */
    public List<Long> pidsIn(String name) {
        require(name);
        List<Long> out = new ArrayList<>();
        for (String pid : ip("netns", "pids", netns(name)).out().split("\\s+")) {
            if (pid.matches("\\d+")) {
                out.add(Long.parseLong(pid));
            }
        }
        return out;
    }

    /** SIGKILL to every process in a leftover namespace: they are a crashed run's nodes. */
    private static void killNamespace(String ns) {
        for (String pid : ip("netns", "pids", ns).out().split("\\s+")) {
            if (pid.matches("\\d+")) {
                Procs.signal(Long.parseLong(pid), "KILL");
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** What is left of this harness on the machine: empty after a clean close. */
    public static List<String> remains() {
        List<String> out = new ArrayList<>();
        for (String line : ip("netns", "list").out().split("\n")) {
            String ns = line.strip().split("\\s+")[0];
            if (ns.startsWith(NS_PREFIX)) {
                out.add("netns " + ns);
            }
        }
        for (String line : ip("-o", "link", "show").out().split("\n")) {
            String[] parts = line.split(":\\s+");
            if (parts.length > 1) {
                String dev = parts[1].split("@")[0].strip();
                if (dev.startsWith(VETH_PREFIX) || dev.startsWith("dhp-") || dev.equals(BRIDGE)) {
                    out.add("link " + dev);
                }
            }
        }
        if (Files.isDirectory(ETC_NETNS)) {
            try (Stream<Path> dirs = Files.list(ETC_NETNS)) {
                dirs.filter(p -> p.getFileName().toString().startsWith(NS_PREFIX)).forEach(p -> out.add("dir " + p));
            } catch (IOException e) {
                out.add("cannot list " + ETC_NETNS + ": " + e);
            }
        }
        if (Cmd.onPath("iptables") && Cmd.run(Duration.ofSeconds(20), "iptables", "-S", "FORWARD").out().contains(FW_COMMENT)) {
            out.add("iptables FORWARD rule " + FW_COMMENT);
        }
        return out;
    }

    /** Removes all of it (every namespace, link, /etc/netns dir, firewall rule) and releases the lock. */
    @Override
    public void close() {
        try {
            if (lock != null) {
                removeLeftovers();
            }
        } finally {
            try {
                if (lock != null) {
                    lock.release();
                }
                lockChannel.close();
            } catch (IOException | RuntimeException ignored) {
                // the lock goes with the JVM anyway
            }
        }
    }
}
