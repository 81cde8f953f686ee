package dev.dockhand.agent.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.core.InvalidInputException;
import dev.dockhand.agent.security.Users;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoginsTest {
    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_000);
    private static final InetAddress HERE = InetAddress.getLoopbackAddress();

    /** The agent's own users.hashed for these users (NAME:PASSWORD[:admin] lines). */
    private Path hashed(String... users) throws Exception {
        Path plain = dir.resolve("users");
        Files.writeString(plain, String.join("\n", users) + "\n");
        Files.setPosixFilePermissions(plain, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        List<String> problems = new ArrayList<>();
        Users u = Users.read(plain, "test", problems);
        assertEquals(List.of(), problems);
        return Files.writeString(dir.resolve("users.hashed"), u.hashedFile());
    }

    private static String basic(String name, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((name + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theRightPasswordLogsInAndIsRememberedTheWrongOneNever() throws Exception {
        Logins logins = Logins.read(hashed("alice:correct-horse-1", "bob:battery-staple-2:admin"), clock::get);
        Logins.Check ok = logins.check(basic("alice", "correct-horse-1"), HERE);
        assertEquals(Logins.Outcome.OK, ok.outcome());
        assertEquals(new Logins.User("alice", "client"), ok.user());
        assertEquals(new Logins.User("bob", "admin"), logins.check(basic("bob", "battery-staple-2"), HERE).user());
        assertEquals(2, logins.remembered());

        assertEquals(Logins.Outcome.WRONG, logins.check(basic("alice", "correct-horse-2"), HERE).outcome());
        assertEquals(Logins.Outcome.WRONG, logins.check(basic("alice", ""), HERE).outcome());
        assertEquals(Logins.Outcome.WRONG, logins.check(basic("mallory", "correct-horse-1"), HERE).outcome(), "no such user");
        assertEquals(Logins.Outcome.WRONG, logins.check("Basic !!!not-base64", HERE).outcome());
        assertEquals(Logins.Outcome.WRONG, logins.check("Basic " + Base64.getEncoder().encodeToString("nocolon".getBytes()), HERE).outcome());
        assertEquals(Logins.Outcome.NONE, logins.check(null, HERE).outcome());
        assertEquals(Logins.Outcome.NONE, logins.check("Bearer abc", HERE).outcome());
        assertEquals(2, logins.remembered(), "a failure is never remembered");
        // the remembered login still needs its password: a cached name is not a key
        assertEquals(Logins.Outcome.WRONG, logins.check(basic("bob", "battery-staple-3"), HERE).outcome());
    }

    @Test
    void aRememberedLoginIsCheckedAgainAfterItsTime() throws Exception {
        Logins logins = Logins.read(hashed("alice:correct-horse-1"), clock::get);
        assertEquals(Logins.Outcome.OK, logins.check(basic("alice", "correct-horse-1"), HERE).outcome());
        long t0 = System.nanoTime();
        assertEquals(Logins.Outcome.OK, logins.check(basic("alice", "correct-horse-1"), HERE).outcome());
        long remembered = System.nanoTime() - t0;
        clock.addAndGet(Logins.REMEMBER_NANOS + 1);
        t0 = System.nanoTime();
        assertEquals(Logins.Outcome.OK, logins.check(basic("alice", "correct-horse-1"), HERE).outcome());
        long checked = System.nanoTime() - t0;
        // PBKDF2 at 600,000 iterations against a digest: orders of magnitude apart on any machine
        assertTrue(checked > remembered * 5, "remembered " + remembered + " ns, checked again " + checked + " ns");
    }

    @Test
    void aChangedPasswordFileDoesNotReuseWhatWasRemembered() throws Exception {
        Path file = hashed("alice:correct-horse-1");
        Logins before = Logins.read(file, clock::get);
        assertEquals(Logins.Outcome.OK, before.check(basic("alice", "correct-horse-1"), HERE).outcome());
        Logins after = Logins.read(hashed("alice:new-password-9"), clock::get);
        assertEquals(Logins.Outcome.WRONG, after.check(basic("alice", "correct-horse-1"), HERE).outcome());
        assertEquals(Logins.Outcome.OK, after.check(basic("alice", "new-password-9"), HERE).outcome());
    }

    @Test
    void theRememberedLoginsAreBounded() throws Exception {
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            users.add("u" + i + ":password-" + i);
        }
        Logins logins = Logins.read(hashed(users.toArray(String[]::new)), clock::get, 2, System.err::println);
        for (int i = 0; i < 3; i++) {
            assertEquals(Logins.Outcome.OK, logins.check(basic("u" + i, "password-" + i), HERE).outcome());
        }
        assertEquals(2, logins.remembered());
    }

    @Test
    void refusedLoginsAreLoggedWithoutThePasswordAndLimitedPerSource() throws Exception {
        List<String> log = new ArrayList<>();
        Logins logins = Logins.read(hashed("alice:correct-horse-1"), clock::get, Logins.MAX_REMEMBERED, log::add);
        InetAddress attacker = InetAddress.getByName("10.0.0.5");
        for (int i = 0; i < dev.dockhand.users.FailedLogins.BURST; i++) {
            assertEquals(Logins.Outcome.WRONG, logins.check(basic("alice", "guess-" + i), attacker).outcome());
        }
        assertEquals("console: login refused: user alice from 10.0.0.5: unknown user or wrong password", log.get(0));
        assertEquals(dev.dockhand.users.FailedLogins.BURST, log.size());
        assertTrue(log.stream().noneMatch(l -> l.contains("guess-")), "never a password: " + log);

        Logins.Check limited = logins.check(basic("alice", "correct-horse-1"), attacker);
        assertEquals(Logins.Outcome.LIMITED, limited.outcome(), "the right password too: a right guess must look like a wrong one");
        assertEquals(6, limited.retryAfterSeconds());
        assertEquals(Logins.Outcome.OK, logins.check(basic("alice", "correct-horse-1"), InetAddress.getByName("10.0.0.6")).outcome(),
                "another source is not locked out");
        assertEquals(Logins.Outcome.NONE, logins.check(null, attacker).outcome(), "no login at all is not a failure, and not limited");

        clock.addAndGet(dev.dockhand.users.FailedLogins.REFILL_NANOS);
        assertEquals(Logins.Outcome.OK, logins.check(basic("alice", "correct-horse-1"), attacker).outcome(), "one refill period later");
    }

    @Test
    void aHostileNameIsLoggedEscapedOnOneLine() throws Exception {
        List<String> log = new ArrayList<>();
        Logins logins = Logins.read(hashed("alice:correct-horse-1"), clock::get, Logins.MAX_REMEMBERED, log::add);
        assertEquals(Logins.Outcome.WRONG, logins.check(basic("eve\nconsole= login ok= user admin", "x"), HERE).outcome());
        assertEquals("console: login refused: user \"eve\\x0aconsole= login ok= user admin\" (not a valid user name) from 127.0.0.1:"
                + " unknown user or wrong password", log.get(0));
    }

    @Test
    void aMalformedFileIsNamedLineByLineWithoutItsSecrets() throws Exception {
        String salt = Base64.getEncoder().encodeToString(new byte[16]);
        String hash = Base64.getEncoder().encodeToString(new byte[32]);
        Path f = Files.writeString(dir.resolve("users.hashed"), String.join("\n",
                "# comment",
                "alice:client:" + salt + ":" + hash,
                "bob:root:" + salt + ":" + hash,
                "carol:client:%%%:" + hash,
                "dave:client:" + salt,
                "alice:admin:" + salt + ":" + hash,
                "erin:client:" + salt + ":" + Base64.getEncoder().encodeToString(new byte[8]), ""));
        String m = assertThrows(InvalidInputException.class, () -> Logins.read(f, clock::get)).getMessage();
        // the problems of users.hashed are the registry's too (dev.dockhand.users.HashedUsers)
        assertTrue(m.contains(f + " (key 'login.users'):3: user bob has an unknown role (use client or admin)"), m);
        assertTrue(m.contains(":4: the salt of carol is not standard base64"), m);
        assertTrue(m.contains(":5: not name:role:salt:hash"), m);
        assertTrue(m.contains(":6: user alice is listed twice"), m);
        assertTrue(m.contains(":7: the hash of erin is not 32 bytes of standard base64"), m);
        assertFalse(m.contains(hash) || m.contains(salt), "no salt or hash in the message: " + m);

        Path empty = Files.writeString(dir.resolve("empty.hashed"), "# nobody\n");
        assertTrue(assertThrows(InvalidInputException.class, () -> Logins.read(empty, clock::get)).getMessage()
                .contains("lists no user"));
        String missing = assertThrows(InvalidInputException.class, () -> Logins.read(dir.resolve("absent"), clock::get)).getMessage();
        assertTrue(missing.contains("users.hashed in its tls dir"), missing);
    }
}
