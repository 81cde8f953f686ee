package dev.dockhand.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.security.ClusterCa;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaCommandTest {
    @TempDir
    Path tmp;

    int run(StringWriter out, StringWriter err, String... args) {
        var cl = AgentCommand.commandLine(Map.of());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void initMakesACaTheAgentAcceptsWithTheKeyForItsOwnerOnly() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Path dir = tmp.resolve("ca");
        assertEquals(0, run(out, err, "ca", "init", "--out", dir.toString(), "--days", "30"), err.toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.key"))));
        assertTrue(out.toString().contains("AGENT_CA_CERT_FILE=" + dir.resolve("ca.crt")), out.toString());
        List<String> problems = new ArrayList<>();
        ClusterCa ca = ClusterCa.read(dir.resolve("ca.crt"), "test", dir.resolve("ca.key"), "test", Instant.now(), problems);
        assertEquals(List.of(), problems);
        assertTrue(ca.certificate().getNotAfter().toInstant().isBefore(Instant.now().plusSeconds(31L * 86400)));

        String key = Files.readString(dir.resolve("ca.key"));
        StringWriter err2 = new StringWriter();
        assertEquals(2, run(new StringWriter(), err2, "ca", "init", "--out", dir.toString()));
        assertTrue(err2.toString().contains("exists; a CA is made once"), err2.toString());
        assertEquals(key, Files.readString(dir.resolve("ca.key")), "never overwritten");
        assertEquals(2, run(new StringWriter(), new StringWriter(), "ca", "init", "--out", tmp.resolve("x").toString(), "--days", "0"));
    }

    @Test
    void initWithUsersWritesAUsersFileTheAgentAcceptsWithPasswordsShownNowhereElse() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Path dir = tmp.resolve("secrets");
        assertEquals(0, run(out, err, "ca", "init", "--out", dir.toString(), "--users", "app,ops:admin"), err.toString());
        Path users = dir.resolve("users");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(users)));
        List<String> problems = new ArrayList<>();
        var read = dev.dockhand.agent.security.Users.read(users, "test", problems);
        assertEquals(List.of(), problems);
        assertEquals("[app (client), ops (admin)]", read.toString());
        String password = read.all().get(0).password();
        assertEquals(24, password.length());
        assertTrue(!out.toString().contains(password) && !err.toString().contains(password), "the password is in the file only");
        assertTrue(out.toString().contains("AGENT_USERS_FILE=" + users), out.toString());

        StringWriter bad = new StringWriter();
        assertEquals(2, run(new StringWriter(), bad, "ca", "init", "--out", tmp.resolve("y").toString(), "--users", "app:root"));
        assertTrue(bad.toString().contains("--users app:root: give NAME or NAME:admin"), bad.toString());
        assertTrue(!Files.exists(tmp.resolve("y/ca.key")), "nothing written after a bad --users");

        // what the agent would refuse, ca init refuses first: a name outside the agent's rule, more users than it takes
        for (String given : List.of("..", "-x", String.join(",", java.util.stream.IntStream.rangeClosed(0, 1000).mapToObj(i -> "u" + i).toList()))) {
            StringWriter refused = new StringWriter();
            assertEquals(2, run(new StringWriter(), refused, "ca", "init", "--out", tmp.resolve("z").toString(), "--users", given));
            assertTrue(refused.toString().contains("a letter or digit") || refused.toString().contains("at most 1000"), refused.toString());
            assertTrue(!Files.exists(tmp.resolve("z/ca.key")), "nothing written");
        }
        Path thousand = tmp.resolve("thousand");
        assertEquals(0, run(new StringWriter(), new StringWriter(), "ca", "init", "--out", thousand.toString(), "--users",
                String.join(",", java.util.stream.IntStream.range(0, 1000).mapToObj(i -> "u" + i).toList())));
        assertEquals(1000, dev.dockhand.agent.security.Users.read(thousand.resolve("users"), "test", problems).all().size(), problems.toString());
    }

    @Test
    void whatInitMakesTheAgentTakesForEveryDaysAndNameItAcceptsAndItWarnsOfAShortCaAsTheNodesWill() throws Exception {
        int i = 0;
        for (String days : List.of("1", "29", "3650", "36500")) {
            for (String name : List.of("c", "kafka1 CA \u00e9t\u00e9 \"quoted\", + ; = < >", "x".repeat(64))) {
                Path dir = tmp.resolve("ca" + i++);
                StringWriter out = new StringWriter();
                StringWriter err = new StringWriter();
                assertEquals(0, run(out, err, "ca", "init", "--out", dir.toString(), "--days", days, "--name", name), err.toString());
                List<String> problems = new ArrayList<>();
                ClusterCa ca = ClusterCa.read(dir.resolve("ca.crt"), "env AGENT_CA_CERT_FILE", dir.resolve("ca.key"), "env AGENT_CA_KEY_FILE",
                        Instant.now(), problems);
                assertEquals(List.of(), problems, days + " days, name " + name);
                var node = dev.dockhand.agent.security.NodeTls.issue(ca, List.of("n.x"), Instant.now(), 30);
                node.certificate().verify(ca.certificate().getPublicKey());
                assertEquals(Integer.parseInt(days) < 30, out.toString().contains("warning: the cluster CA"), out.toString());
            }
        }
        for (String days : List.of("0", "-1", "36501")) {
            StringWriter err = new StringWriter();
            assertEquals(2, run(new StringWriter(), err, "ca", "init", "--out", tmp.resolve("bad").toString(), "--days", days));
            assertTrue(err.toString().contains("give a number of days from 1 to 36500"), err.toString());
        }
        StringWriter err = new StringWriter();
        assertEquals(2, run(new StringWriter(), err, "ca", "init", "--out", tmp.resolve("bad").toString(), "--name", "a\u0007b"));
        assertTrue(err.toString().contains("--name: give a common name of 1 to 64 printable characters") && !err.toString().contains("\u0007"),
                err.toString());
        assertTrue(!Files.exists(tmp.resolve("bad")), "nothing written");
    }

    @Test
    void issueWritesANodePairWhereTheKeyLivesThatANodeTakesWithoutTheKeyAndReplacesItOnTheNextRun() throws Exception {
        Path dir = tmp.resolve("ca");
        assertEquals(0, run(new StringWriter(), new StringWriter(), "ca", "init", "--out", dir.toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Path certs = tmp.resolve("certs");
        assertEquals(0, run(out, err, "ca", "issue", "--ca", dir.toString(), "--out", certs.toString(), "--name", "sr-1.k.test",
                "--days", "30"), err.toString());
        Path crt = certs.resolve("sr-1.k.test.crt");
        Path key = certs.resolve("sr-1.k.test.key");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        assertTrue(out.toString().contains("AGENT_TLS_CERT_FILE=" + crt + " AGENT_TLS_KEY_FILE=" + key), out.toString());
        List<String> problems = new ArrayList<>();
        var trust = dev.dockhand.agent.security.TrustBundle.read(dir.resolve("ca.crt"), "env AGENT_CA_CERT_FILE", Instant.now(), problems);
        var given = new dev.dockhand.agent.security.GivenTls(crt, "env AGENT_TLS_CERT_FILE", key, "env AGENT_TLS_KEY_FILE");
        var first = given.read(trust, List.of("sr-1.k.test"), Instant.now(), problems);
        assertEquals(List.of(), problems, "what a node given these files checks at start");
        assertEquals(0, run(new StringWriter(), new StringWriter(), "ca", "issue", "--ca", dir.toString(), "--out", certs.toString(),
                "--name", "sr-1.k.test"));
        assertTrue(given.renewedSince(first.certificate()), "a second run replaces the pair, which the running node then takes");
        StringWriter bad = new StringWriter();
        assertEquals(2, run(new StringWriter(), bad, "ca", "issue", "--ca", tmp.resolve("none").toString(), "--out", certs.toString(),
                "--name", "x.k.test"));
        assertTrue(bad.toString().contains("ca.crt"), bad.toString());
        assertEquals(2, run(new StringWriter(), new StringWriter(), "ca", "issue", "--ca", dir.toString(), "--out", certs.toString(),
                "--name", "bad name"));
    }
}
