package dev.dockhand.agent.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The users' step before it reaches a cluster: a users file that does not read changes nothing. */
class KafkaAccessTest {
    @TempDir
    Path tmp;

    @Test
    void aMalformedUsersFileChangesNothingAndReachesNoCluster() throws Exception {
        Path users = tmp.resolve("users");
        Files.writeString(users, "app:app-Secret-1\nteam:team-Secret-1:client:topic=*\n");
        Files.setPosixFilePermissions(users, PosixFilePermissions.fromString("rw-------"));
        // a cluster nobody answers for: were it asked, the step would wait out its timeout and exit 1
        Path client = tmp.resolve("client.properties");
        Files.writeString(client, "bootstrap.servers=127.0.0.1:1\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        long t0 = System.nanoTime();
        int rc = KafkaAccess.run(client, users, List.of("gw-1.k.test"), List.of(), List.of(), null, Duration.ofSeconds(30), new PrintWriter(out), new PrintWriter(err));
        assertEquals(2, rc, err.toString());
        assertTrue(err.toString().contains(":2: the topic prefix '*' of team is '*'"), err.toString());
        assertTrue(err.toString().contains("nothing was changed in the cluster"), err.toString());
        assertFalse(err.toString().contains("Secret"), "no password: " + err);
        assertEquals("", out.toString());
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(25).toNanos(), "refused before any connection was tried");
    }
}
