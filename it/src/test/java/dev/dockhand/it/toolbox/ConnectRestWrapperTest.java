package dev.dockhand.it.toolbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.it.lab.Cmd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code image/dist/bin/connect-rest} with a stand-in curl first on the PATH that prints its arguments and its
 * standard input: what the wrapper asks curl for on a secured and on a plaintext node, and what it refuses.
 * The wrapper against a real worker: {@code SecuredConnectIT}.
 */
class ConnectRestWrapperTest {
    static final Path SCRIPT = Path.of(System.getProperty("dockhand.repo.root", "..")).toAbsolutePath().normalize()
            .resolve("image/dist/bin/connect-rest");
    static final String PASSWORD = "pw-Secret-9";

    @TempDir
    Path home;
    Path conf;
    Path fakeBin;

    @BeforeEach
    void standInCurl() throws IOException {
        fakeBin = Files.createDirectories(home.resolve("fake-bin"));
        Path curl = fakeBin.resolve("curl");
        Files.writeString(curl, "#!/usr/bin/env bash\nprintf 'arg:%s\\n' \"$@\"\nif [[ \" $* \" == *' -K - '* ]]; then sed 's/^/stdin:/'; fi\n");
        Files.setPosixFilePermissions(curl, PosixFilePermissions.fromString("rwxr-xr-x"));
        conf = Files.createDirectories(home.resolve("data/conf/connect"));
    }

    void worker(String listeners) throws IOException {
        Files.writeString(conf.resolve("connect-distributed.properties"), "# rendered\nrest.advertised.host.name=cn-1.k.test\nlisteners="
                + listeners + "\n");
    }

    Cmd.Result run(Map<String, String> env, String... args) {
        List<String> argv = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        argv.addAll(List.of(args));
        Map<String, String> all = new HashMap<>(env);
        all.put("AGENT_DATA_DIR", home.resolve("data").toString());
        all.put("AGENT_CONF_DIR", "");
        all.put("PATH", fakeBin + ":" + System.getenv("PATH"));
        return Cmd.run(Duration.ofSeconds(20), argv, all);
    }

    @Test
    void aSecuredNodeIsAskedOverHttpsByItsNameWithTheCaAndTheLoginOnStdin() throws IOException {
        worker("https://0.0.0.0:8083");
        Cmd.Result r = run(Map.of("DOCKHAND_CONNECT_PASSWORD", PASSWORD), "-u", "ops", "POST", "/connectors", "{\"name\":\"x\"}");
        assertEquals(0, r.exit(), r.out());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.contains("arg:--cacert") && lines.contains("arg:" + home.resolve("data/conf/tls/ca.crt")), r.out());
        assertTrue(lines.contains("arg:cn-1.k.test:8083:127.0.0.1"), "connected here, the name checked: " + r.out());
        assertTrue(lines.contains("arg:https://cn-1.k.test:8083/connectors") && lines.contains("arg:POST"), r.out());
        assertTrue(lines.contains("stdin:user = \"ops:" + PASSWORD + "\""), r.out());
        assertFalse(lines.stream().anyMatch(l -> l.startsWith("arg:") && l.contains(PASSWORD)), "no password in curl's argv: " + r.out());
    }

    @Test
    void aPlaintextNodeIsAskedOverHttpWithoutLogin() throws IOException {
        worker("http://0.0.0.0:8083");
        Cmd.Result r = run(Map.of(), "/connector-plugins");
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().lines().toList().contains("arg:http://127.0.0.1:8083/connector-plugins"), r.out());
        assertFalse(r.out().contains("--cacert"), r.out());
    }

    @Test
    void badInputsExit2NamingThem() throws IOException {
        Cmd.Result noConfig = run(Map.of(), "/connectors");
        assertEquals(2, noConfig.exit(), noConfig.out());
        assertTrue(noConfig.out().contains("no worker config"), noConfig.out());
        worker("https://0.0.0.0:8083");
        Cmd.Result relative = run(Map.of(), "connectors");
        assertEquals(2, relative.exit(), relative.out());
        assertTrue(relative.out().contains("must start with /"), relative.out());
        Cmd.Result noPassword = run(Map.of(), "-u", "ops", "/connectors");
        assertEquals(2, noPassword.exit(), noPassword.out());
        assertTrue(noPassword.out().contains("DOCKHAND_CONNECT_PASSWORD"), noPassword.out());
        Cmd.Result quote = run(Map.of("DOCKHAND_CONNECT_PASSWORD", "a\"b"), "-u", "ops", "/connectors");
        assertEquals(2, quote.exit(), quote.out());
        assertFalse(quote.out().contains("a\"b"), "the password is not echoed: " + quote.out());
    }
}
