package dev.dockhand.it.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.it.lab.Await;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The image itself: its configuration, its user, the agent CLI, and single-command mode. */
@DockerEngine.Needed
class ImageIT {
    private static String image;

    @BeforeAll
    static void build() {
        image = DockhandImage.get();
    }

    @Test
    void imageRunsTheAgentAsPid1WithHealthcheckStopSignalVolumeAndNonRootUser() {
        assertEquals("[/opt/dockhand/agent-run.sh /opt/dockhand /opt/dockhand/agent.jar]", Docker.inspect(image, "{{.Config.Entrypoint}}"));
        assertEquals("[CMD agent health]", Docker.inspect(image, "{{.Config.Healthcheck.Test}}"));
        assertEquals("SIGTERM", Docker.inspect(image, "{{.Config.StopSignal}}"));
        assertTrue(Docker.inspect(image, "{{json .Config.Volumes}}").contains("/var/lib/dockhand"));
        assertEquals("dockhand:dockhand", Docker.inspect(image, "{{.Config.User}}"));
        String ids = Docker.docker("run", "--rm", "--label", Docker.LABEL, "--entrypoint", "bash", image, "-c",
                "id -u; id -g; stat -c '%U %a' /var/lib/dockhand /run/agent; test -r /etc/agent/catalog.json && echo catalog; "
                        + "ls /opt/dockhand/lib/kafka | grep -c '^kafka_2.13-.*\\.jar$'").ok().out();
        assertEquals("1000\n1000\ndockhand 750\ndockhand 750\ncatalog\n1\n", ids, "uid, gid, data dir owners, catalog, broker jar");
    }

    /**
     * The ENTRYPOINT's choice of PID 1's JVM flags (image/agent-run.sh), shown by running it with
     * {@code echo} as the JVM: a secured node's archive holds its TLS path, a plaintext node's and
     * single-command mode's do not; and the secured archive is one this image's JVM maps
     * ({@code -Xshare:on} refuses to start otherwise).
     */
    @Test
    void aSecuredNodeStartsWithTheSecuredClassDataArchive() {
        String choices = Docker.docker("run", "--rm", "--label", Docker.LABEL, "--entrypoint", "bash", image, "-c",
                "e=/opt/dockhand/agent-run.sh; a='/opt/dockhand /opt/dockhand/agent.jar'; "
                        + "AGENT_SECURITY=tls JAVA=echo $e $a; AGENT_CA_CERT_FILE=/run/secrets/ca.crt JAVA=echo $e $a; "
                        + "AGENT_SECURITY=plaintext AGENT_CA_CERT_FILE=/run/secrets/ca.crt JAVA=echo $e $a; JAVA=echo $e $a; "
                        + "AGENT_SECURITY=tls JAVA=echo $e $a -- sleep 1; "
                        + "grep -c agent-run-tls.jsa /opt/dockhand/agent-run-tls.jvmopts").ok().out();
        assertEquals("""
                @/opt/dockhand/agent-run-tls.jvmopts -jar /opt/dockhand/agent.jar run
                @/opt/dockhand/agent-run-tls.jvmopts -jar /opt/dockhand/agent.jar run
                @/opt/dockhand/agent-run.jvmopts -jar /opt/dockhand/agent.jar run
                @/opt/dockhand/agent-run.jvmopts -jar /opt/dockhand/agent.jar run
                @/opt/dockhand/agent-run.jvmopts -jar /opt/dockhand/agent.jar run -- sleep 1
                1
                """, choices, "tls; a CA given; plaintext despite a CA; nothing said; single-command mode; the secured flags name their archive");
        Docker.Result version = Docker.docker("run", "--rm", "--label", Docker.LABEL, "--entrypoint", "java", image,
                "@/opt/dockhand/agent-run-tls.jvmopts", "-Xshare:on", "-Xlog:cds=info:stderr", "-jar", "/opt/dockhand/agent.jar", "version").ok();
        assertTrue(version.out().startsWith("dockhand agent "), version.all());
        // mapped where it was dumped, not relocated: its pages stay clean pages of the file (ADR 005, third round)
        assertTrue(version.err().contains("Mapped static  region #0 at base 0x0000000800000000"), version.err());
        assertFalse(version.err().contains("map archive(s) at an alternative address"), version.err());
    }

    @Test
    void agentCliAnswersVersion() {
        Docker.Result r = Docker.docker("run", "--rm", "--label", Docker.LABEL, "--entrypoint", "agent", image, "version").ok();
        assertTrue(r.out().startsWith("dockhand agent "), r.out());
    }

    @Test
    void singleCommandModePropagatesExitCodesAndSignals() {
        Docker.Result exit7 = Docker.docker("run", "--rm", "--label", Docker.LABEL, image, "--", "bash", "-c", "exit 7");
        assertEquals(7, exit7.exit(), exit7.all());
        Docker.Result killed = Docker.docker("run", "--rm", "--label", Docker.LABEL, image, "--", "bash", "-c", "kill -TERM $$");
        assertEquals(143, killed.exit(), "128 + SIGTERM when the command dies of a signal: " + killed.all());
    }

    @Test
    void dockerStopOfSingleCommandContainerIsQuickAndPid1IsTheJvm() {
        String name = "dockhand-it-single-" + UUID.randomUUID().toString().substring(0, 8);
        try {
            Docker.docker("run", "-d", "--name", name, "--label", Docker.LABEL, image, "--", "sleep", "300").ok();
            // the agent runs the command as its child (spawned a moment after `docker run -d` returns)
            Await.until("the `sleep` child", Duration.ofSeconds(30), Duration.ofMillis(200),
                    () -> assertEquals(0, Docker.exec(name, "pgrep", "-x", "sleep").exit(), () -> Docker.logs(name)));
            assertEquals("java", Docker.exec(name, "cat", "/proc/1/comm").ok().out().trim(), "PID 1 is the agent's JVM");
            // the build's class-data archive is in use, and JNA's library was not unpacked at start
            String maps = Docker.exec(name, "cat", "/proc/1/maps").ok().out();
            assertTrue(maps.contains("/opt/dockhand/agent-run.jsa"), "PID 1 maps its class-data archive");
            assertTrue(maps.contains("/opt/dockhand/native/libjnidispatch.so"), "PID 1 loads JNA's library from the image");
            // SIGTERM forwarded: the command dies of it (143); not forwarded, docker would SIGKILL the
            // container at the end of the grace (137)
            Docker.docker(Duration.ofMinutes(1), "stop", "-t", "30", name).ok();
            assertEquals("143", Docker.inspect(name, "{{.State.ExitCode}}"), "the command died of the forwarded SIGTERM: 128 + 15, not of"
                    + " docker's SIGKILL after the grace (137)");
        } finally {
            Docker.removeQuietly("container", name);
        }
    }
}
